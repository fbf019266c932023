import type { ReportModel } from "./report-model.ts";

/**
 * Renders the report as one self-contained HTML page: the data as an inline JSON block, inline
 * style and script allowed by hash in a Content-Security-Policy of `default-src 'none'`, so the page
 * can fetch nothing and load no external asset. Paths are grouped by class and directory in
 * collapsed sections filled when opened, with a search box, so a run of 100k paths stays readable.
 */
export function renderReportHtml(model: ReportModel): string {
  const data = JSON.stringify(model).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
  const csp = `default-src 'none'; script-src '${sha256Base64(SCRIPT)}'; style-src '${sha256Base64(STYLE)}'; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>assay-runner report: ${escapeHtml(model.runId)}</title>`,
    `<style>${STYLE}</style>`,
    "</head><body>",
    '<main id="app"><p id="loading">This report renders with inline JavaScript.</p></main>',
    `<script type="application/json" id="assay-data">${data}</script>`,
    `<script>${SCRIPT}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}

// --- internal ---

function sha256Base64(text: string): string {
  return `sha256-${new Bun.CryptoHasher("sha256").update(text).digest("base64")}`;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d232b}
main{max-width:1200px;margin:0 auto;padding:16px 24px}
h1{font-size:20px;margin:8px 0}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #d5dae1;padding-bottom:4px}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;margin:2px 4px 2px 0;font-size:12px;border:1px solid}
.ok{background:#e5f6ea;border-color:#7cc493;color:#135c2a}.warn{background:#fff5db;border-color:#e0b44c;color:#6b4a00}.bad{background:#fde8e8;border-color:#e48a8a;color:#8a1313}.info{background:#eaf0fb;border-color:#8fa9db;color:#1c3d7a}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid #e1e5ea;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eef1f5}
details{background:#fff;border:1px solid #e1e5ea;margin:2px 0;padding:2px 6px}summary{cursor:pointer}
.count{color:#5b6573;font-size:12px}.w{color:#8a1313;font-weight:600}
input[type=search]{width:100%;padding:6px;font-size:14px;box-sizing:border-box;margin:4px 0}
ul.plain{list-style:none;padding-left:12px;margin:4px 0}
`;

// Plain ES2017 that builds the page from the JSON block; no network, no eval.
const SCRIPT = `
(function(){
var D=JSON.parse(document.getElementById('assay-data').textContent);
var app=document.getElementById('app');app.textContent='';
function el(t,a,kids){var e=document.createElement(t);if(a)for(var k in a){if(k==='text')e.textContent=a[k];else e.setAttribute(k,a[k]);}(kids||[]).forEach(function(c){if(c!=null)e.appendChild(typeof c==='string'?document.createTextNode(c):c);});return e;}
function badge(text,cls){return el('span',{'class':'badge '+cls,text:text});}
function table(head,rows){return el('table',null,[el('tr',null,head.map(function(h){return el('th',{text:h});}))].concat(rows.map(function(r){return el('tr',null,r.map(function(c){return el('td',{'class':'mono',text:c==null?'':String(c)});}));})));}
var GOOD={kernel_layer:'complete',cgroup_correlation:'clean',ringbuf_drops:'0',policy_layer:'present',platform:'linux'};
app.appendChild(el('h1',null,['assay-runner report: ',el('code',{id:'run-id',text:D.runId})]));
app.appendChild(el('p',null,[el('span',{'class':'count',text:'manifest '}),el('code',{text:D.manifestDigest}),el('br'),el('span',{'class':'count',text:'archive '}),el('code',{text:D.source}),el('br'),el('span',{'class':'count',text:'command '}),el('code',{text:D.command.join(' ')}),' ',badge(D.exit,D.exit==='exit 0'?'ok':'warn')]));
var hp=el('p',{id:'health'},[badge('fidelity '+D.verdict,D.verdict==='clean'?'ok':D.verdict==='failed'?'bad':'warn')]);
Object.keys(D.health).forEach(function(k){var v=D.health[k];hp.appendChild(badge(k+': '+v,GOOD[k]===undefined?'info':GOOD[k]===v?'ok':'bad'));});
Object.keys(D.claimGate).forEach(function(k){var v=D.claimGate[k];hp.appendChild(badge(k.replace(/_/g,' ')+': '+v,v==='allowed'?'ok':v==='blocked'?'bad':'warn'));});
app.appendChild(el('h2',{text:'Run and health'}));app.appendChild(hp);
if(D.healthNotes.length)app.appendChild(el('ul',{'class':'plain mono'},D.healthNotes.map(function(n){return el('li',{text:n});})));
var fs=el('section',{id:'findings'});app.appendChild(el('h2',{text:'Findings'}));app.appendChild(fs);
if(!D.check){fs.appendChild(el('p',{text:'No baseline or other run given: nothing compared.'}));}
else{var c=D.check;fs.appendChild(el('p',null,[badge(c.status==='inside'?'inside the baseline':c.findings.length+' finding(s) outside',c.status==='inside'?'ok':'bad'),' against ',el('code',{text:D.comparedWith}),' ('+c.baseline_runs+' run(s))']));
 if(c.findings.length)fs.appendChild(table(['rule','subject','class','what'],c.findings.map(function(f){return [f.rule,f.subject,f.class||'',f.message];})));}
app.appendChild(el('h2',{text:'Processes ('+D.execs.length+' execs)'}));
var byPid={},order=[];D.execs.forEach(function(x){if(!byPid[x.pid]){byPid[x.pid]=[];order.push(x.pid);}byPid[x.pid].push(x.argv?x.argv.join(' ')+(x.argvTruncated?' \\u2026':''):x.program);});
app.appendChild(el('ul',{'class':'plain mono',id:'processes'},order.map(function(p,i){return el('li',{text:(i===0?'root ':'')+'pid '+p+': '+byPid[p].join(' \\u2192 ')});})));
var writes=D.paths.filter(function(p){return p[2]===1;}).length;
app.appendChild(el('h2',{text:'Files ('+D.paths.length+' paths, '+writes+' written)'}));
var search=el('input',{type:'search',id:'search',placeholder:'Search paths, programs, endpoints\\u2026'});app.appendChild(search);
var hits=el('div',{id:'hits'});app.appendChild(hits);
var groups={},gorder=[];D.paths.forEach(function(p){var g=(p[2]?'written \\u00b7 ':'')+p[1];if(!groups[g]){groups[g]={};gorder.push(g);}var i=p[0].lastIndexOf('/');var dir=i>0?p[0].slice(0,i):'(top)';(groups[g][dir]=groups[g][dir]||[]).push(p[0]);});
var files=el('div',{id:'files'});app.appendChild(files);
gorder.forEach(function(g){var dirs=groups[g],keys=Object.keys(dirs).sort(),n=0;keys.forEach(function(k){n+=dirs[k].length;});
 var d=el('details',{'data-group':g},[el('summary',null,[el('span',{'class':g.indexOf('written')===0?'w':'',text:g}),' ',el('span',{'class':'count',text:n+' paths in '+keys.length+' directories'})])]);
 d.addEventListener('toggle',function(){if(!d.open||d.dataset.filled)return;d.dataset.filled='1';keys.forEach(function(k){var dd=el('details',null,[el('summary',null,[el('code',{text:k}),' ',el('span',{'class':'count',text:String(dirs[k].length)})])]);
  dd.addEventListener('toggle',function(){if(!dd.open||dd.dataset.filled)return;dd.dataset.filled='1';dd.appendChild(el('ul',{'class':'plain mono'},dirs[k].map(function(p){return el('li',{text:p});})));});d.appendChild(dd);});});
 files.appendChild(d);});
search.addEventListener('input',function(){var q=search.value.toLowerCase();hits.textContent='';if(q.length<2)return;var out=[],n=0;
 function scan(kind,list){list.forEach(function(v){if(v.toLowerCase().indexOf(q)>=0){n++;if(out.length<200)out.push(kind+'  '+v);}});}
 scan('path',D.paths.map(function(p){return p[0];}));scan('exec',D.execs.map(function(x){return x.program;}));scan('endpoint',D.endpoints.map(function(e){return e[0];}));
 hits.appendChild(el('p',{'class':'count',text:n+' match(es)'+(n>out.length?', first '+out.length+' shown':'')}));hits.appendChild(el('ul',{'class':'plain mono'},out.map(function(t){return el('li',{text:t});})));});
app.appendChild(el('h2',{text:'Endpoints ('+D.endpoints.length+')'}));app.appendChild(table(['endpoint','class'],D.endpoints));
app.appendChild(el('h2',{text:'SDK layer ('+D.sdk.length+' events)'}));app.appendChild(table(['seq','event','tool call','tool','source'],D.sdk.map(function(e){return [e.seq,e.event_type,e.tool_call_id,e.tool,e.source];})));
app.appendChild(el('h2',{text:'Policy layer ('+D.policy.length+' decisions)'}));app.appendChild(table(['seq','tool call','tool','decision'],D.policy.map(function(e){return [e.seq,e.tool_call_id,e.tool,e.decision];})));
var cr=D.correlation||{bindings:[],ambiguities:[]};app.appendChild(el('h2',{text:'Correlation: '+(cr.status||'absent')}));
app.appendChild(table(['tool call','policy decision','kernel events','window'],(cr.bindings||[]).map(function(b){return [b.tool_call_id,b.policy_decision,b.kernel_event_count,b.window?b.window.start+' \\u2192 '+b.window.end:''];})));
if((cr.ambiguities||[]).length)app.appendChild(el('ul',{'class':'plain mono'},cr.ambiguities.map(function(a){return el('li',{text:a});})));
document.body.setAttribute('data-rendered','1');
})();
`;
