/** Styles of the plugin's widget UI, scoped by the `custom-emoji-` class prefix. */
export const WIDGET_CSS = `
.custom-emoji-image { display: block; max-width: 96px; max-height: 96px; object-fit: contain; }
.custom-emoji-fallback { font-family: ui-monospace, monospace; }
.custom-emoji-picker { width: 100%; max-height: 220px; overflow-y: auto; }
.custom-emoji-note { padding: 8px; color: #6b7280; font-size: 13px; }
.custom-emoji-tabs { display: flex; gap: 4px; overflow-x: auto; border-bottom: 1px solid #e5e7eb; margin-bottom: 6px; }
.custom-emoji-tab { border: 0; background: none; padding: 6px 8px; font: inherit; font-size: 13px; color: #6b7280; cursor: pointer; border-bottom: 2px solid transparent; white-space: nowrap; }
.custom-emoji-tab.active { color: #111827; border-bottom-color: currentColor; }
.custom-emoji-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(44px, 1fr)); gap: 4px; }
.custom-emoji-pick { border: 0; background: none; padding: 4px; border-radius: 6px; cursor: pointer; }
.custom-emoji-pick:hover, .custom-emoji-pick:focus-visible { background: #f3f4f6; }
.custom-emoji-pick img { display: block; width: 36px; height: 36px; object-fit: contain; }
`;
