/** The chat window's styles, inside the widget's shadow root (host page rules never reach them). */
import type { Position } from '../contract.ts';

export function chatCss(position: Position): string {
  const side = position === 'left' ? 'left' : 'right';
  return `
.panel{position:fixed;bottom:88px;${side}:20px;width:370px;height:min(600px,calc(100vh - 108px));display:flex;flex-direction:column;
  box-sizing:border-box;background:#fff;color:#111827;border-radius:14px;overflow:hidden;box-shadow:0 10px 40px rgba(0,0,0,.22);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei",sans-serif;text-align:left;direction:ltr}
.panel[hidden]{display:none}
.panel *{box-sizing:border-box;font:inherit;color:inherit;letter-spacing:normal;text-transform:none}
.head{display:flex;align-items:center;gap:8px;padding:14px 12px 14px 16px;background:var(--parley-accent);color:#fff;flex:none}
.titles{flex:1;min-width:0}
.title{font-weight:600;font-size:16px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.status{font-size:12px;opacity:.9;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-height:17px}
.icon-btn{all:unset;display:inline-flex;align-items:center;justify-content:center;width:34px;height:34px;border-radius:8px;cursor:pointer;flex:none}
.icon-btn:hover{background:rgba(255,255,255,.18)}
.icon-btn:focus-visible{outline:2px solid currentColor}
.icon-btn svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.banner{padding:6px 12px;font-size:12px;background:#fef3c7;color:#92400e;flex:none}
.banner[hidden]{display:none}
.log{flex:1;overflow-y:auto;padding:12px 12px 4px;background:#f9fafb;display:flex;flex-direction:column;gap:6px;overscroll-behavior:contain}
.row{display:flex;flex-direction:column;max-width:82%}
.row.visitor{align-self:flex-end;align-items:flex-end}
.row.agent{align-self:flex-start;align-items:flex-start}
.bubble{padding:8px 11px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
.visitor .bubble{background:var(--parley-accent);color:#fff;border-bottom-right-radius:4px}
.agent .bubble{background:#fff;border:1px solid #e5e7eb;border-bottom-left-radius:4px}
.bubble a{color:inherit;text-decoration:underline}
.bubble.media{padding:4px;background:#fff;border:1px solid #e5e7eb}
.bubble.media img{display:block;max-width:220px;max-height:220px;border-radius:10px;cursor:zoom-in;background:#f3f4f6;min-width:40px;min-height:40px}
.bubble.emoji{font-size:32px;line-height:1.1;background:none;border:none;padding:0}
.file{all:unset;display:flex;align-items:center;gap:8px;cursor:pointer;padding:4px 6px;color:#111827}
.file svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;flex:none}
.file span{overflow-wrap:anywhere}
.meta{font-size:11px;color:#6b7280;margin:2px 4px 0}
.meta.failed{all:unset;font-size:11px;color:#b91c1c;margin:2px 4px 0;cursor:pointer;text-decoration:underline}
.system,.code{align-self:center;text-align:center;font-size:12px;color:#6b7280;padding:2px 8px;max-width:90%}
.code{font-size:11px;color:#9ca3af;margin-top:4px}
.unsupported{font-style:italic;color:#6b7280}
.bubble.plugin{padding:4px;background:#fff;border:1px solid #e5e7eb;color:#111827}
.tools{display:flex;flex:none}
.popover{margin:0 8px;padding:8px;border:1px solid #e5e7eb;border-bottom:none;border-radius:10px 10px 0 0;background:#fff;max-height:260px;overflow:auto;flex:none}
.popover[hidden]{display:none}
.ended{padding:10px 14px;font-size:13px;color:#374151;background:#f3f4f6;border-top:1px solid #e5e7eb;flex:none}
.ended[hidden]{display:none}
.composer{display:flex;align-items:flex-end;gap:6px;padding:8px;border-top:1px solid #e5e7eb;background:#fff;flex:none}
.composer[hidden]{display:none}
.composer .icon-btn{color:#4b5563}
.composer .icon-btn:hover{background:#f3f4f6}
textarea{all:unset;flex:1;min-height:22px;max-height:120px;padding:8px 10px;border:1px solid #d1d5db;border-radius:10px;white-space:pre-wrap;overflow-y:auto;color:#111827;background:#fff;font-size:14px;line-height:1.45}
textarea:focus{border-color:var(--parley-accent);outline:none}
.send{all:unset;padding:8px 14px;border-radius:10px;background:var(--parley-accent);color:#fff;cursor:pointer;font-weight:600}
.send:disabled{opacity:.5;cursor:default}
.prechat{padding:14px 16px;display:flex;flex-direction:column;gap:10px;border-top:1px solid #e5e7eb;background:#fff;flex:none}
.prechat[hidden]{display:none}
.prechat label{display:flex;flex-direction:column;gap:4px;font-size:13px;color:#374151}
.prechat input,.prechat select{all:unset;padding:8px 10px;border:1px solid #d1d5db;border-radius:8px;color:#111827;background:#fff}
.prechat input:focus,.prechat select:focus{border-color:var(--parley-accent)}
.prechat .error{font-size:12px;color:#b91c1c;min-height:0}
.prechat .actions{display:flex;gap:8px;justify-content:flex-end}
.link{all:unset;cursor:pointer;color:#4b5563;padding:8px 10px}
.hidden-input{display:none}
@media (max-width:480px){
  .panel{inset:0;width:100%;height:100%;border-radius:0;bottom:0;${side}:0}
  textarea,.prechat input,.prechat select{font-size:16px}
}`;
}
