/** The report's inline CSS (no external fonts or files: the page works offline). */
export const REPORT_CSS = `
:root{--fg:#1d2330;--muted:#667085;--line:#e4e7ec;--bg:#f7f8fa;--ok:#1a7f37;--bad:#c62828;--wait:#8a6d00;
  --est:#9db4d8;--act:#2f5fa8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
  background:var(--bg)}
main{max-width:1280px;margin:0 auto;padding:16px 20px 48px}h1{font-size:22px;margin:4px 0 10px}
h2{font-size:16px;margin:18px 0 8px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef1f5;padding:1px 4px;
  border-radius:3px;word-break:break-all}
.state{font-size:13px;vertical-align:middle;padding:2px 8px;border-radius:10px;background:#e8eefc;
  color:#2f4a8a}
.state.st-done{background:#e3f4e8;color:var(--ok)}
.state.st-failed-rows,.state.st-budget{background:#fdecea;color:var(--bad)}
.progress{height:6px;background:var(--line);border-radius:3px;overflow:hidden;margin-bottom:10px}
.progress div{height:100%;background:var(--act)}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:6px 18px;margin:0}
.fact{display:flex;gap:8px}.fact dt{color:var(--muted);min-width:72px}.fact dd{margin:0}
.pill{display:inline-block;padding:0 7px;border-radius:9px;background:#eef1f5;font-size:12px;margin:1px 0}
.p-succeeded{background:#e3f4e8;color:var(--ok)}.p-failed{background:#fdecea;color:var(--bad)}
.p-held-by-budget{background:#fff4d6;color:var(--wait)}
.budget-history{margin:4px 0 0;padding-left:18px;font-size:12px}.budget-history time{color:var(--muted)}
.generated{color:var(--muted);font-size:12px;margin:8px 0 0}
.chart svg{max-width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
.chart text{font:12px system-ui,sans-serif;fill:var(--fg)}.bar-estimated{fill:var(--est)}
.bar-actual{fill:var(--act)}
.failures{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin-top:14px}
.failures summary{font-weight:600;cursor:pointer}
.failures table{border-collapse:collapse;width:100%;margin-top:6px;font-size:13px}
.failures td,.failures th{border-top:1px solid var(--line);padding:4px 6px;text-align:left;
  vertical-align:top}
.failures td.reason{color:var(--bad)}.note{color:var(--muted);font-size:12px}
.where{font-size:11px;margin-left:6px}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;position:sticky;top:0;
  background:var(--bg);padding:8px 0;z-index:2}
.filters select,.filters input{font:inherit;padding:4px 6px;border:1px solid #cfd4dc;border-radius:4px;
  background:#fff}
.filters input[type=search]{min-width:240px}.shown{color:var(--muted)}
.pages{display:flex;flex-wrap:wrap;gap:4px;margin:8px 0}
.pages a,.pages span{padding:2px 8px;border:1px solid var(--line);border-radius:4px;background:#fff;
  text-decoration:none}
.pages span.here{background:var(--act);color:#fff;border-color:var(--act)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;overflow:hidden;display:flex;
  flex-direction:column}
.card[hidden]{display:none}.card.st-failed{border-color:#f3b8b3}.card.st-held{border-color:#f1d98a}
.imgs{display:grid;gap:2px;background:#eef1f5;aspect-ratio:1/1;grid-auto-rows:minmax(0,1fr);overflow:hidden}
.imgs.n2,.imgs.n3,.imgs.n4{grid-template-columns:1fr 1fr}
.imgs .shot{position:relative;min-height:0;overflow:hidden;outline-offset:-3px}
.shot>a{display:block;height:100%}
.imgs img{width:100%;height:100%;object-fit:cover;display:block}.imgs{position:relative}
.pickbar{position:absolute;left:4px;top:4px;display:flex;gap:3px;opacity:0;transition:opacity .1s}
.shot:hover .pickbar,.shot.sel .pickbar,.shot.pk-pick .pickbar,.shot.pk-reject .pickbar{opacity:1}
.pickbar button{font:13px/1 system-ui,sans-serif;width:24px;height:24px;border:0;border-radius:12px;
  background:#fffd;color:var(--fg);cursor:pointer;padding:0}
.pickbar button[data-v=pick][aria-pressed=true]{background:var(--ok);color:#fff}
.pickbar button[data-v=reject][aria-pressed=true]{background:var(--bad);color:#fff}
.shot.pk-pick{outline:3px solid var(--ok)}.shot.pk-reject img{opacity:.35;filter:grayscale(1)}
.shot.sel{outline:3px solid var(--act)}.shot.sel.pk-pick{outline-color:#0b5a26}
.finals{position:absolute;right:4px;bottom:4px;display:flex;gap:3px}
.final{font-size:11px;padding:1px 6px;border-radius:8px;background:#fffe;color:var(--ok);text-decoration:none}
.final.st-failed{color:var(--bad)}.final.st-pending,.final.st-held{color:var(--wait)}
.draft{display:flex;gap:6px;align-items:center;margin:4px 0 0;color:var(--muted)}
.draft-img img{width:40px;height:40px;object-fit:cover;border-radius:3px;display:block}
.picks{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:0 0 6px;font-size:13px}
.picks-where,.picks-keys{color:var(--muted);font-size:12px}.picks-status{color:var(--act);font-size:12px}
.picks-export{font:inherit;padding:2px 8px;border:1px solid #cfd4dc;border-radius:4px;background:#fff;
  color:var(--fg);cursor:pointer;text-decoration:none}
.imgs .more{position:absolute;right:6px;bottom:6px;background:#0009;color:#fff;border-radius:8px;
  padding:0 6px;font-size:12px}
.noimg{aspect-ratio:1/1;display:flex;align-items:center;justify-content:center;color:var(--muted);
  background:repeating-linear-gradient(45deg,#f2f4f7,#f2f4f7 8px,#eceff3 8px,#eceff3 16px)}
.meta{padding:6px 8px;font-size:12px}.row1{display:flex;justify-content:space-between;gap:6px}
.row1 .id{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.row2{color:var(--muted)}
.status{font-size:11px;padding:0 6px;border-radius:8px;background:#eef1f5}
.st-succeeded .status{background:#e3f4e8;color:var(--ok)}
.st-failed .status{background:#fdecea;color:var(--bad)}
.st-held .status{background:#fff4d6;color:var(--wait)}
.reason{color:var(--bad);margin:4px 0 0;word-break:break-word}
.prompt{margin:4px 0 0;color:#344054;display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;
  overflow:hidden}
.batches{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);
  border-radius:6px}
.batches th,.batches td{padding:6px 8px;border-top:1px solid var(--line);text-align:left;font-size:13px}
.batches td.num{text-align:right}nav.top{display:flex;gap:14px;margin-bottom:8px;font-size:13px}
.batches .dest{color:var(--muted)}.batches .dest code{word-break:break-all}
`;
