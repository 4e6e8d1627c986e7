// Loaded first, before the app: a wedge scanner does not wait for the app to start, so its keys
// are recorded from the first moment a script runs and handed to the app's scanner listener
// (client/src/scanner/wedge.ts), which replays them. A classic file, not inline: the CSP forbids
// inline scripts.
(function () {
  var keys = [];
  function isField(t) {
    if (!t || !t.tagName) return false;
    if (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
    return t.tagName === 'INPUT' && /^(text|search|email|number|password|tel|url|)$/.test(t.type || '');
  }
  function onKey(e) {
    keys.push({ key: e.key, at: e.timeStamp || performance.now(), isInField: isField(e.target), hasModifier: e.ctrlKey || e.metaKey || e.altKey });
  }
  document.addEventListener('keydown', onKey, true);
  window.__ttEarlyKeys = {
    take: function () {
      document.removeEventListener('keydown', onKey, true);
      var taken = keys;
      keys = [];
      return taken;
    },
  };
})();
