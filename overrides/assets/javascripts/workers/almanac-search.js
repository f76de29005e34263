/* Almanac's search worker: Material's own search worker, unchanged, with two steps around it.

   Every page names this file as its search worker, with Material's worker as ?engine=
   (hooks/material_markup.py search_worker), and this file imports Material's worker last.
   1. Queries are stemmed. Material appends a wildcard to every query term ("оценки*"), and lunr
      runs no pipeline over a wildcard term, so an index built with a stemmer ("оценк") would
      never match a longer form of the word. Each word of the query is therefore replaced by its
      stem with the index's own stemmer (lunr.ru, lunr's English one, or Almanac's lunr.kk) before
      Material reads it: "оценки" becomes "оценк*", which finds оценка, оценки, оценку alike, and a
      word still being typed still matches as a prefix.
   2. Result snippets are short: the text of each result is cut to about SNIPPET characters of
      plain text around its first highlighted match (Material shows whole paragraphs).
   Nothing here makes a request: Material's worker fetches nothing, the index is sent by the page. */
(function () {
  "use strict";

  var SETUP = 0, QUERY = 2, RESULT = 3;   // Material's SearchMessageType
  var SNIPPET = 160;
  var ENGINE = /^search\.[0-9a-f]+\.min\.js$/;
  var config = null, stemWord = null;

  function stemmerOf(setup) {
    if (setup.pipeline.indexOf("stemmer") === -1 || setup.lang.length !== 1) return null;
    var lang = setup.lang[0];
    var functions = lang === "en" ? self.lunr : self.lunr[lang];
    if (!functions || typeof functions.stemmer !== "function") return null;
    return function (word) {
      return functions.stemmer(new self.lunr.Token(word.toLowerCase(), {})).toString();
    };
  }

  /* The query with each word replaced by its stem; field names (title:) and operators are kept. */
  function stemQuery(query) {
    if (stemWord === null && config !== null) stemWord = stemmerOf(config) || function (word) { return word; };
    if (stemWord === null) return query;
    return query.replace(/([\p{L}\p{N}_]+)(:?)/gu, function (match, word, colon) {
      return colon ? match : stemWord(word) || word;
    });
  }

  /* The index in `text` after `count` characters a reader sees from `from` on (<mark> tags are not seen). */
  function advance(text, from, count) {
    var at = from;
    while (at < text.length && count > 0) {
      if (text.startsWith("<mark>", at)) at += 6;
      else if (text.startsWith("</mark>", at)) at += 7;
      else { at += 1; count -= 1; }
    }
    return at;
  }

  /* About SNIPPET characters of a result's text around its first <mark>, cut at spaces. */
  function snippet(html) {
    var text = html.replace(/<(?!\/?mark>)[^>]*>/g, " ").replace(/\s+/g, " ").trim();
    var first = Math.max(text.indexOf("<mark>"), 0);
    var start = Math.max(0, first - Math.round(SNIPPET / 3));
    if (start > 0) start = text.indexOf(" ", start) + 1 || start;
    var end = advance(text, start, SNIPPET);
    if (end < text.length) end = Math.max(text.lastIndexOf(" ", end), advance(text, first, 1));
    return "<p>" + (start > 0 ? "… " : "") + text.slice(start, end).trim() + (end < text.length ? " …" : "") + "</p>";
  }

  function shorten(message) {
    if (!message || message.type !== RESULT || !message.data || !message.data.items) return message;
    message.data.items.forEach(function (group) {
      group.forEach(function (item) {
        if (typeof item.text === "string" && item.text.length > 0) item.text = snippet(item.text);
      });
    });
    return message;
  }

  // Registered before Material's listener, so it runs first and Material reads the stemmed query.
  self.addEventListener("message", function (event) {
    var message = event.data;
    if (message && message.type === SETUP) {
      config = message.data.config;
      stemWord = null;
    } else if (message && message.type === QUERY && typeof message.data === "string") {
      message.data = stemQuery(message.data);
    }
  });

  var post = self.postMessage.bind(self);
  self.postMessage = function (message, transfer) {
    return transfer === undefined ? post(shorten(message)) : post(shorten(message), transfer);
  };

  // Opened from disk, Material runs its worker in an iframe (iframe-worker), whose location is not the script's.
  var here = typeof document !== "undefined" && document.currentScript ? document.currentScript.src
                                                                        : self.location.href;
  var engine = new URL(here).searchParams.get("engine") || "";
  if (!ENGINE.test(engine)) {
    throw new Error("almanac-search.js: ?engine= must name Material's search worker, got " + engine);
  }
  self.importScripts(engine);
})();
