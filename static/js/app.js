/* PetCommunity front-end. Progressive enhancement only: every page works without it.
 * 1. form[data-confirm] (or a submit button with data-confirm) asks before submitting.
 * 2. <time datetime> shows the member's local time ("5 minutes ago" under a day).
 * 3. [data-stream="/ws/..."] live streams over WebSocket with reconnect + HTTP catch-up.
 * 4. An error summary ([data-error-summary]) takes the focus after a failed submit.
 * 5. A picture chosen in a file input shows as a preview before upload.
 * (And a comment edited inline closes its edit form once the new text is in place.)
 */
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;

  /* ---------- 1. Confirm dialogs ---------- */
  // Capture phase on document: runs before htmx's own submit listener on the form,
  // and covers forms inserted later by htmx or live frames.
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    var msg = (e.submitter && e.submitter.dataset.confirm) || (form.dataset && form.dataset.confirm);
    if (msg && !window.confirm(msg)) { e.preventDefault(); e.stopPropagation(); }
  }, true);

  /* ---------- 2. Local times ---------- */
  var rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  var dtf = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  var full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

  function localizeTimes(scope) {
    (scope || doc).querySelectorAll('time[datetime]').forEach(function (el) {
      var iso = el.getAttribute('datetime');
      // Date-only values ("2024-05-01") have no zone to convert; leave them alone.
      if (iso.indexOf('T') < 0 && iso.indexOf(' ') < 0) return;
      var d = new Date(iso);
      if (isNaN(d)) return;
      var secs = (d.getTime() - Date.now()) / 1000, abs = Math.abs(secs);
      if (abs < 45) el.textContent = rtf.format(0, 'second');
      else if (abs < 3600) el.textContent = rtf.format(Math.round(secs / 60), 'minute');
      else if (abs < 86400) el.textContent = rtf.format(Math.round(secs / 3600), 'hour');
      else el.textContent = dtf.format(d);
      if (!el.title) el.title = full.format(d);
    });
  }

  /* ---------- 3. Live streams ---------- */
  var streams = [];
  var seen = new WeakSet();
  var leaving = false;
  var byId = function (id) { return doc.getElementById(id); };

  function setFlag() {
    if (!streams.length) return;
    root.dataset.streams = streams.every(function (s) { return s.open; }) ? 'open' : 'connecting';
  }

  function fragment(html) {
    var t = doc.createElement('template');
    t.innerHTML = String(html || '').trim();
    return t.content;
  }

  function targetOf(el) { return el.querySelector('[data-stream-target]') || el; }

  // New nodes need htmx wiring (hx-* attributes) and local times like server-rendered ones.
  function enhance(nodes, live) {
    nodes.forEach(function (n) {
      if (live) n.classList.add('live-new');
      if (window.htmx) window.htmx.process(n);
      localizeTimes(n);
    });
  }

  // Insert element nodes from html at the top (prepend) or bottom of target,
  // skipping any whose id already exists in the page.
  function insert(target, html, atTop) {
    var nodes = Array.prototype.filter.call(fragment(html).children, function (n) {
      return !(n.id && byId(n.id));
    });
    if (!nodes.length) return nodes;
    target.querySelectorAll('.empty-state').forEach(function (n) { n.remove(); });
    var ref = atTop ? target.firstChild : null;
    nodes.forEach(function (n) { target.insertBefore(n, ref); });
    enhance(nodes, true);
    return nodes;
  }

  function removeId(id) { var n = byId(id); if (n) n.remove(); }

  // The poster's own card can arrive twice: by its live frame (which skips a card already there) and in
  // the composer's answer, when the frame came first. Before the answer goes into the feed, take out
  // the cards it brings again, so the page never holds two of one id.
  function dropTwins(e) {
    if (!e.detail.target || e.detail.target.id !== 'feed-posts' || !e.detail.serverResponse) return;
    var ids = e.detail.serverResponse.match(/<article class="post-card" id="post-\d+"/g) || [];
    ids.forEach(function (m) { removeId(m.match(/post-\d+/)[0]); });
  }

  function handle(el, f) {
    // A post's page listens to its place's feed for that post alone: its new comments and its counts.
    var only = el.dataset.streamPost;
    if (only && !((f.type === 'comment.new' && String(f.post_id) === only)
                  || (f.type === 'post.counts' && String(f.id) === only))) return;
    var target = targetOf(el);
    switch (f.type) {
      case 'post.new':
        if (!byId('post-' + f.id)) insert(target, f.html, true);
        break;
      case 'post.remove':
        removeId('post-' + f.id);
        break;
      case 'post.counts': {
        var old = byId('post-' + f.id + '-reactions');
        var n = old && fragment(f.html).firstElementChild;
        if (!n) break;
        // Same buttons: only the numbers change, in place. Replacing the element would detach
        // the target of a reaction the viewer just clicked, and htmx would then swap their reply
        // (with their pressed state) into a node no longer on the page.
        var counts = n.querySelectorAll('[data-reaction] .reaction-count');
        var mine = old.querySelectorAll('[data-reaction] .reaction-count');
        if (counts.length && counts.length === mine.length) {
          counts.forEach(function (c) {
            var b = old.querySelector('[data-reaction="' + c.parentNode.dataset.reaction + '"] .reaction-count');
            if (b) b.textContent = c.textContent;
          });
          break;
        }
        // Broadcast counts are the same for everyone; a fragment marked data-counts-only
        // keeps this viewer's own aria-pressed state from the element it replaces.
        if (n.hasAttribute('data-counts-only')) {
          old.querySelectorAll('[data-reaction][aria-pressed]').forEach(function (b) {
            var nb = n.querySelector('[data-reaction="' + b.dataset.reaction + '"]');
            if (nb) nb.setAttribute('aria-pressed', b.getAttribute('aria-pressed'));
          });
        }
        old.replaceWith(n);
        enhance([n], false);
        break;
      }
      case 'comment.new':
        if (!byId('comment-' + f.id)) {
          liveComment(f);
          doc.querySelectorAll('[data-comment-count="' + f.post_id + '"]').forEach(function (c) {
            c.textContent = String((Number(c.textContent) || 0) + 1);
          });
        }
        break;
      case 'queue.new': {
        // Oldest first: a new item belongs at the end, so only the last page shows it (at the bottom).
        var list = queueList(target);
        var mine = queueMatches(list, f);
        if (mine && list && !byId('queue-item-' + f.id)) insertQueueRow(list, f);
        queueCounts(list, f, mine ? 1 : 0);
        break;
      }
      case 'queue.remove': {
        var qlist = queueList(target);
        var had = byId('queue-item-' + f.id);
        removeId('queue-item-' + f.id);
        queueCounts(qlist, f, had || queueMatches(qlist, f) ? -1 : 0);
        break;
      }
      case 'queue.update': {
        var head = byId('queue-item-' + f.id + '-head');
        var nh = head && fragment(f.html).firstElementChild;
        if (nh) { head.replaceWith(nh); enhance([nh], false); }
        queueCounts(queueList(target), f, 0);
        break;
      }
      case 'message.new': {
        var thread = byId('conversation-' + f.conversation_id + '-messages');
        if (thread) insert(thread, f.html, false);
        doc.querySelectorAll('[data-message-count]').forEach(function (b) {
          var n = thread ? Math.max((Number(f.unread) || 0) - 1, 0) : Number(f.unread) || 0;
          b.textContent = String(n);
          b.hidden = n === 0;
        });
        break;
      }
      case 'notify': {
        var count = Number(f.unread) || 0;
        doc.querySelectorAll('[data-unread-count]').forEach(function (b) {
          b.textContent = String(count);
          b.hidden = count === 0;
          // Keep the link's accessible name in step ("Notifications 4 unread"); it must
          // contain the visible text ("Notifications 4") to pass label-in-name.
          var link = b.closest('[data-unread-label]');
          if (link) {
            var base = link.dataset.unreadLabel;
            link.setAttribute('aria-label', count ? base + ' ' + count + ' unread' : base);
          }
        });
        break;
      }
    }
    el.dispatchEvent(new CustomEvent('pc:frame', { detail: f, bubbles: true }));
  }

  // Comments come oldest first, a page (and a few replies per thread) at a time: a new one belongs at the
  // end, so it goes in only when the end is on the page. Otherwise the "more" link counts it, and it
  // arrives in order when that link is followed. A reply whose thread is not on the page waits there.
  function liveComment(f) {
    var thread = f.parent_id ? byId('comment-' + f.parent_id) : null;
    if (f.parent_id && !thread) return;
    var more = thread ? thread.querySelector('[data-more-replies]')
      : doc.querySelector('#post-' + f.post_id + '-comments-more [data-more-count]');
    if (more) { countOneMore(more, thread ? 'moreReplies' : 'moreCount'); return; }
    var list = thread ? replyList(thread) : byId('post-' + f.post_id + '-comments');
    if (list) insert(list, f.html, false);
  }

  // "Show more comments (3 more)" becomes "(4 more)": plain text in the link, so its name reads as one.
  function countOneMore(link, key) {
    var n = (Number(link.dataset[key]) || 0) + 1;
    link.dataset[key] = String(n);
    link.textContent = link.textContent.replace(/\(\d+ more\)/, '(' + n + ' more)');
  }

  function replyList(thread) {
    var list = thread.querySelector(':scope > ul.comments');
    if (!list) {
      list = doc.createElement('ul');
      list.className = 'comments';
      thread.appendChild(list);
    }
    return list;
  }

  // The moderation queue: is an item one of this (maybe filtered) list's own? Frames carry its kind,
  // the filter keys of its scope and when it arrived; the list carries its filters.
  function queueList(target) { return target && target.matches('[data-queue-list]') ? target : doc.querySelector('[data-queue-list]'); }

  var AGES = { '1h': 3600, '24h': 86400, '48h': 172800 };
  function queueMatches(list, f) {
    if (!list) return false;
    var d = list.dataset;
    if (d.filterKind && d.filterKind !== f.kind) return false;
    if (d.filterScope && (f.scopes || []).indexOf(d.filterScope) < 0) return false;
    if (d.filterAge && !(Date.now() / 1000 - Number(f.created || 0) >= (AGES[d.filterAge] || 0))) return false;
    return true;
  }

  // Oldest first: the row goes before the first newer one (an escalated item keeps its age), or at the
  // bottom when this is the last page; an item newer than everything on an earlier page belongs later.
  function insertQueueRow(list, f) {
    var rows = list.querySelectorAll('[data-created]'), later = null;
    for (var i = 0; i < rows.length; i++) {
      if (Number(rows[i].dataset.created) > Number(f.created)) { later = rows[i]; break; }
    }
    if (!later && list.dataset.append !== 'yes') return;
    var nodes = Array.prototype.filter.call(fragment(f.html).children, function (n) { return !(n.id && byId(n.id)); });
    if (!nodes.length) return;
    list.querySelectorAll('.empty-state').forEach(function (n) { n.remove(); });
    nodes.forEach(function (n) { list.insertBefore(n, later); });
    enhance(nodes, true);
  }

  // The badge takes this moderator's count from the frame (the server's, same query as the badge);
  // the list's total follows it unfiltered, and moves by `delta` when filtered.
  function queueCounts(list, f, delta) {
    var count = Number(f.queue_count);
    if (!isNaN(count) && f.queue_count !== undefined) {
      doc.querySelectorAll('[data-queue-count]').forEach(function (b) {
        b.textContent = String(count);
        b.hidden = count === 0;
      });
    }
    doc.querySelectorAll('[data-queue-total]').forEach(function (t) {
      var filtered = list && list.dataset.filtered === 'yes';
      if (!filtered && f.queue_count !== undefined) t.textContent = String(count);
      else if (delta) t.textContent = String(Math.max(0, (Number(t.textContent) || 0) + delta));
    });
    if (list && !list.querySelector('[id^="queue-item-"]') && !list.querySelector('.empty-state')) {
      var li = doc.createElement('li');
      li.className = 'empty-state';
      li.innerHTML = '<p>Nothing waiting here. New items appear as they arrive.</p>';
      list.appendChild(li);
    }
  }

  // After a reconnect, fetch what was missed: cards newer than the newest post-N we hold.
  function catchUp(el) {
    var url = el.dataset.catchupUrl;
    if (!url) return;
    var max = 0;
    el.querySelectorAll('[id^="post-"]').forEach(function (n) {
      var m = /^post-(\d+)$/.exec(n.id);
      if (m) max = Math.max(max, Number(m[1]));
    });
    fetch(url + (url.indexOf('?') < 0 ? '?' : '&') + 'after=' + max, {
      headers: { 'HX-Request': 'true' }, credentials: 'same-origin'
    }).then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) { if (html.trim()) insert(targetOf(el), html, true); })
      .catch(function () { /* next reconnect will try again */ });
  }

  function connect(s) {
    if (leaving) return;
    s.attempts += 1;
    var proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var ws;
    try { ws = new WebSocket(proto + location.host + s.path); } catch (e) { return retry(s); }
    s.ws = ws;
    ws.onopen = function () {
      s.open = true; s.openedAt = Date.now(); setFlag();
      if (s.attempts > 1) catchUp(s.el);
    };
    ws.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f && typeof f.type === 'string') handle(s.el, f);
    };
    ws.onclose = function (ev) {
      s.open = false; s.ws = null; setFlag();
      // 4401/4403: the server refused us (signed out, no access); retrying won't help.
      if (ev.code === 4401 || ev.code === 4403) return;
      // Only forgive past failures if the socket actually stayed up for a while,
      // otherwise a server that accepts then drops would be hammered every second.
      if (s.openedAt && Date.now() - s.openedAt > 5000) s.delay = 1000;
      s.openedAt = 0;
      retry(s);
    };
  }

  function retry(s) {
    if (leaving) return;
    var wait = s.delay * (0.8 + Math.random() * 0.4); // jitter so tabs don't reconnect in lockstep
    s.delay = Math.min(s.delay * 2, 30000);
    clearTimeout(s.timer);
    s.timer = setTimeout(function () { connect(s); }, Math.min(wait, 30000));
  }

  function setupStreams(scope) {
    var els = [];
    if (scope.matches && scope.matches('[data-stream]')) els.push(scope);
    scope.querySelectorAll('[data-stream]').forEach(function (el) { els.push(el); });
    els.forEach(function (el) {
      if (seen.has(el) || !('WebSocket' in window)) return;
      seen.add(el);
      var s = { el: el, path: el.dataset.stream, open: false, attempts: 0, delay: 1000, openedAt: 0 };
      streams.push(s);
      connect(s);
    });
    setFlag();
  }

  window.addEventListener('pagehide', function () {
    leaving = true;
    streams.forEach(function (s) {
      clearTimeout(s.timer);
      if (s.ws) { s.ws.onclose = null; s.ws.close(1000); s.ws = null; s.open = false; }
    });
  });
  window.addEventListener('pageshow', function (e) {
    if (!e.persisted) return; // restored from the back/forward cache: sockets were closed
    leaving = false;
    streams.forEach(function (s) { if (!s.ws) { s.delay = 1000; connect(s); } });
  });
  window.addEventListener('online', function () {
    streams.forEach(function (s) { if (!s.ws) { clearTimeout(s.timer); s.delay = 1000; connect(s); } });
  });

  /* ---------- 4. Failed submits: focus the error summary at the top of the form ---------- */
  function focusErrors(scope) {
    var summary = (scope || doc).querySelector('[data-error-summary]');
    if (summary) summary.focus();
  }

  /* ---------- 5. Image previews before upload ---------- */
  // Chosen pictures show as thumbnails under their file input, before anything is sent.
  doc.addEventListener('change', function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('input[type="file"]')) return;
    var box = input.parentNode.querySelector('.upload-preview');
    if (!box) {
      box = doc.createElement('div');
      box.className = 'upload-preview';
      box.setAttribute('aria-live', 'polite');
      input.insertAdjacentElement('afterend', box);
    }
    box.querySelectorAll('img').forEach(function (img) { URL.revokeObjectURL(img.src); });
    box.textContent = '';
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (!/^image\//.test(file.type)) return;
      var img = doc.createElement('img');
      img.src = URL.createObjectURL(file);
      img.alt = 'Preview of ' + file.name;
      box.appendChild(img);
    });
  });

  // A comment link from before the post page came a page at a time ("/posts/1/#comment-9", in old emails
  // and notifications) names a comment that may sit on a later page: ask the server for the page holding it.
  function findLinkedComment() {
    var m = /^#comment-(\d+)$/.exec(location.hash);
    if (m && !byId('comment-' + m[1]) && /^\/posts\/\d+\/$/.test(location.pathname) && !/[?&]comment=/.test(location.search)) {
      location.replace(location.pathname + '?comment=' + m[1] + location.hash);
    }
  }

  function init() {
    findLinkedComment();
    focusErrors(doc);
    localizeTimes(doc);
    setupStreams(doc);
    setInterval(function () { localizeTimes(doc); }, 60000);
    // Content swapped in by htmx: localize times, start any new streams.
    doc.addEventListener('htmx:load', function (e) { localizeTimes(e.target); setupStreams(e.target); focusErrors(e.target); });
    // A comment edited inline (the server names it): close its edit form; the new text is in place.
    doc.body.addEventListener('pc:comment-edited', function (e) {
      var form = e.detail && byId('comment-' + e.detail.id + '-edit');
      if (form) form.open = false;
    });
    // A rate limit (429) answers with a short notice: show it (htmx skips 4xx bodies by default);
    // the server's HX-Reswap puts it next to what was clicked.
    doc.addEventListener('htmx:beforeSwap', function (e) {
      if (e.detail.xhr.status === 429) { e.detail.shouldSwap = true; e.detail.isError = false; }
      dropTwins(e);
    });
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', init);
  else init();
})();
