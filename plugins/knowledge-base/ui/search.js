// Search-as-you-type shared by the tab, the picker and the knowledge page: waits for a pause in
// typing and drops answers to queries the agent has already typed past.
// `getApi` is read at each search, so a component passes its current `api` prop.
export function createSearch(getApi, onResults, delay = 200) {
  let timer;
  let controller;
  return (query) => {
    clearTimeout(timer);
    controller?.abort();
    if (!query.trim()) {
      onResults(null);
      return;
    }
    timer = setTimeout(async () => {
      controller = new AbortController();
      try {
        const res = await getApi().http.get(`search?q=${encodeURIComponent(query.trim())}&limit=10`, { signal: controller.signal });
        onResults(res.items);
      } catch (err) {
        if (err?.name !== 'AbortError') onResults([]);
      }
    }, delay);
  };
}

/** The text of an entry for the reply box: its plain text (the reply box takes no HTML). */
export function entryText(entry) {
  return entry.contentText;
}
