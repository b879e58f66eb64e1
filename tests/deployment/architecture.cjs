// Draws docs/architecture.svg (and docs/architecture.png through rsvg-convert) from the layout below, with the official
// AWS architecture icons of the npm package aws-icons. The picture shows what terraform/ and cfn/seed.yaml deploy:
// on-premise site, AWS account, the existing VPC and the deployment path, the data path left to right.
// Usage: node architecture.cjs            writes docs/architecture.svg and docs/architecture.png
//        node architecture.cjs --check    exits 1 when the committed SVG differs from this layout's, or the committed
//                                         PNG was not rendered from it (the PNG carries the SVG's SHA-256 in a tEXt chunk).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const icons = path.join(__dirname, 'node_modules', 'aws-icons', 'icons');
const svgPath = path.join(root, 'docs', 'architecture.svg');
const pngPath = path.join(root, 'docs', 'architecture.png');
const W = 1720;
const H = 985;
const FONT = 'DejaVu Sans, Arial, sans-serif';

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
let uses = 0;

// One icon of the set, scaled into a size x size box (ids prefixed so that two copies do not collide).
function icon(file, x, y, size) {
  const text = fs.readFileSync(path.join(icons, file), 'utf8');
  const viewBox = /viewBox="([^"]+)"/.exec(text)[1];
  uses += 1;
  const inner = text.replace(/^[\s\S]*?<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '').replace(/<title>[\s\S]*?<\/title>/, '')
    .replace(/id="([^"]+)"/g, `id="i${uses}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#i${uses}-$1)`).replace(/href="#([^"]+)"/g, `href="#i${uses}-$1"`);
  return `<svg x="${x}" y="${y}" width="${size}" height="${size}" viewBox="${viewBox}">${inner}</svg>`;
}

function label(x, y, lines, opts = {}) {
  const size = opts.size ?? 13;
  const weight = opts.bold ? ' font-weight="bold"' : '';
  const anchor = opts.anchor ?? 'middle';
  const fill = opts.fill ?? '#232f3e';
  return lines.map((line, i) => `<text x="${x}" y="${y + i * (size + 3)}" font-family="${FONT}" font-size="${size}"${weight} text-anchor="${anchor}" fill="${fill}">${esc(line)}</text>`).join('');
}

// A component: icon centred on (cx, cy), its name below.
const nodes = {};
function node(id, file, cx, cy, lines, size = 52, above = false) {
  nodes[id] = { cx, cy, r: size / 2 };
  const y = above ? cy - size / 2 - 8 - (lines.length - 1) * 16 : cy + size / 2 + 15;
  return icon(file, cx - size / 2, cy - size / 2, size) + label(cx, y, lines);
}

// A group: a rectangle with the group icon in its corner and its name (the AWS group style).
function group(x, y, w, h, file, name, colour, dashed = false) {
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="1.5"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`
    + icon(file, x, y, 28) + label(x + 36, y + 19, [name], { anchor: 'start', bold: true, size: 14, fill: colour });
}

// An edge between two nodes (from the rim of one icon to the other's), optionally bent through way points.
function edge(from, to, text, opts = {}) {
  const a = nodes[from];
  const b = nodes[to];
  const points = [[a.cx, a.cy], ...(opts.via ?? []), [b.cx, b.cy]];
  const trim = (p, q, r) => {
    const dx = q[0] - p[0];
    const dy = q[1] - p[1];
    const len = Math.hypot(dx, dy);
    return [p[0] + (dx / len) * r, p[1] + (dy / len) * r];
  };
  points[0] = trim(points[0], points[1], a.r + 6);
  points[points.length - 1] = trim(points[points.length - 1], points[points.length - 2], b.r + 8);
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' ');
  const colour = opts.colour ?? '#545b64';
  let out = `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.6"${opts.dashed ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow${opts.colour ? '-' + opts.colour.slice(1) : ''})"/>`;
  if (text) {
    const i = Math.floor((points.length - 1) / 2);
    const [p, q] = [points[i], points[i + 1]];
    const [lx, ly] = opts.at ?? [(p[0] + q[0]) / 2 + (opts.dx ?? 0), (p[1] + q[1]) / 2 + (opts.dy ?? -6)];
    out += label(lx, ly, Array.isArray(text) ? text : [text], { size: 11, fill: '#16191f', anchor: opts.anchor ?? 'middle' });
  }
  return out;
}

function draw() {
  uses = 0;
  const parts = [];
  const I = (f) => `architecture-service/${f}.svg`;
  const R = (f) => `resource/${f}.svg`;
  const G = (f) => `architecture-group/${f}.svg`;

  // --- groups
  parts.push(group(20, 70, 250, 560, G('Corporatedatacenter'), 'On-premise site', '#5a6b86'));
  parts.push(group(20, 745, 250, 200, G('Corporatedatacenter'), 'Git host', '#5a6b86', true));
  parts.push(group(350, 40, 1180, 925, G('AWSAccount'), 'AWS account (one region)', '#e7157b'));
  parts.push(group(560, 372, 260, 250, G('VirtualprivatecloudVPC'), 'VPC (private subnets)', '#8c4fff'));
  parts.push(group(370, 745, 1140, 205, G('AWSCloud'), 'Deployment path (cfn/seed.yaml, then terraform/)', '#232f3e', true));
  parts.push(group(1560, 70, 150, 560, G('Corporatedatacenter'), 'Analysts', '#5a6b86'));

  // --- on-premise site
  parts.push(node('files', R('Documents'), 140, 170, ['Source files', '(CSV, JSON, Parquet)']));
  parts.push(node('agent', R('Server'), 140, 350, ['Ingest agent', '(in-process engine,', 'ingest run)']));
  parts.push(node('db', R('Database'), 140, 540, ['On-premise databases', '(read by the agent)']));
  parts.push(node('git', I('AWSCodeCommit'), 140, 840, ['Git repository', '(this repo, over SSH)']));
  // --- link
  parts.push(node('vpn', I('AWSSitetoSiteVPN'), 310, 350, ['VPN /', 'Direct Connect'], 44, true));

  // --- orchestration (top row)
  parts.push(node('scheduler', I('AmazonEventBridge'), 480, 120, ['EventBridge Scheduler', '(nightly)']));
  parts.push(node('sfn', I('AWSStepFunctions'), 690, 120, ['Step Functions', '(Map over datasets)']));
  parts.push(node('sns', I('AmazonSimpleNotificationService'), 930, 120, ['SNS failure topic']));
  parts.push(node('cw', I('AmazonCloudWatch'), 1130, 120, ['CloudWatch alarms,', 'log groups']));
  parts.push(node('rule', R('AmazonEventBridgeEvent'), 480, 250, ['EventBridge rule', '(aborted: cleanup)'], 44));

  // --- data path (middle row)
  parts.push(node('raw', I('AmazonSimpleStorageService'), 480, 455, ['S3 raw zone', '(_landing/ inbox)']));
  parts.push(node('glue', I('AWSGlue'), 690, 455, ['Glue 5.0 job', 'ingest-glue-job', '(NETWORK connection)']));
  parts.push(node('curated', I('AmazonSimpleStorageService'), 930, 350, ['S3 curated zone', '(Parquet / Iceberg)']));
  parts.push(node('quarantine', I('AmazonSimpleStorageService'), 930, 535, ['S3 quarantine zone']));
  parts.push(node('catalog', R('AWSGlueDataCatalog'), 1130, 350, ['Glue Data Catalog', '(one database per domain)']));
  parts.push(node('athena', I('AmazonAthena'), 1330, 350, ['Athena workgroup', '(scan cutoff)']));
  parts.push(node('analysts', R('Users'), 1635, 350, ['Analysts, BI']));
  parts.push(node('ddb', I('AmazonDynamoDB'), 690, 670, ['DynamoDB metadata table', '(registry, ledger, lease)'], 44));
  parts.push(node('endpoints', R('AmazonVPCEndpoints'), 605, 570, ['Gateway', 'endpoints'], 30));

  // --- security (right column)
  parts.push(group(1410, 430, 110, 240, G('AWSCloud'), 'Security', '#dd344c', true));
  parts.push(node('kms', I('AWSKeyManagementService'), 1465, 500, ['KMS keys'], 40));
  parts.push(node('secrets', I('AWSSecretsManager'), 1465, 600, ['Secrets Manager'], 40));

  // --- deployment path (bottom row)
  parts.push(node('cfn', I('AWSCloudFormation'), 480, 840, ['CloudFormation', 'seed stack']));
  parts.push(node('codebuild', I('AWSCodeBuild'), 700, 840, ['CodeBuild project', '(in the VPC)']));
  parts.push(node('iam', I('AWSIdentityandAccessManagement'), 920, 840, ['Deploy role +', 'permissions boundary']));
  parts.push(node('tfstate', I('AmazonSimpleStorageService'), 1140, 840, ['Terraform state', '(S3 + lock table)']));
  parts.push(node('ssm', I('AWSSystemsManager'), 1360, 840, ['SSM parameters', '(settings, outputs)']));

  // --- edges: data path left to right
  parts.push(edge('files', 'agent', 'read', { dx: 20 }));
  parts.push(edge('db', 'agent', 'read', { via: [[45, 540], [45, 350]], at: [58, 450], anchor: 'start' }));
  parts.push(edge('agent', 'vpn', 'HTTPS', { dy: -8 }));
  parts.push(edge('vpn', 'raw', ['raw copy /', 'Glue inbox'], { via: [[400, 455]], at: [405, 430], anchor: 'start' }));
  parts.push(edge('vpn', 'curated', 'curated + quarantine files (in-process engine)', { via: [[400, 320], [860, 320]], at: [760, 313] }));
  parts.push(edge('raw', 'glue', 'read', { dy: -8 }));
  parts.push(edge('glue', 'curated', 'Parquet', { via: [[790, 350]], at: [830, 343] }));
  parts.push(edge('glue', 'quarantine', 'rejected rows', { via: [[790, 535]], at: [850, 528] }));
  parts.push(edge('curated', 'catalog', 'tables, partitions', { dy: -8 }));
  parts.push(edge('catalog', 'athena', 'schema', { dy: -8 }));
  parts.push(edge('analysts', 'athena', 'SQL', { dy: -8 }));
  parts.push(edge('glue', 'ddb', ['definition, ledger,', 'lease (gateway', 'endpoint)'], { at: [700, 560], anchor: 'start' }));
  parts.push(edge('vpn', 'ddb', 'registry, ledger (agent)', { via: [[400, 670]], at: [520, 663] }));
  // --- orchestration
  parts.push(edge('scheduler', 'sfn', 'start', { dy: -8 }));
  parts.push(edge('rule', 'sfn', 'cleanup', { at: [610, 205] }));
  parts.push(edge('sfn', 'glue', ['startJobRun.sync', '(worker settings)'], { at: [700, 215], anchor: 'start' }));
  parts.push(edge('sfn', 'sns', 'failed runs', { dy: -8 }));
  parts.push(edge('cw', 'sns', 'alarms', { dy: -8 }));
  // --- deployment
  parts.push(edge('git', 'codebuild', 'git clone (SSH, pinned host key)', { via: [[300, 915], [700, 915]], at: [500, 930] }));
  parts.push(edge('cfn', 'codebuild', 'creates', { dy: -8 }));
  parts.push(edge('codebuild', 'iam', 'assumes', { dy: -8 }));
  parts.push(edge('iam', 'tfstate', ['terraform apply', '(everything above)'], { dy: -22 }));
  parts.push(edge('tfstate', 'ssm', 'outputs', { dy: -8 }));

  const defs = ['545b64'].map((c) => `<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#${c}"/></marker>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`
    + `<defs>${defs}</defs><rect width="${W}" height="${H}" fill="#ffffff"/>`
    + label(W / 2, 26, ['Ingest on AWS: what terraform/ and cfn/seed.yaml deploy (drawn by tests/deployment/architecture.cjs)'], { size: 15, bold: true })
    + parts.join('') + '</svg>\n';
}

// --- PNG tEXt chunk with the SVG's hash, so that a stale PNG is detected without comparing pixels.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const KEY = 'ingest-svg-sha256';
function withHash(png, hash) {
  const data = Buffer.from(`${KEY}\0${hash}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}
function hashIn(png) {
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'tEXt') {
      const [key, value] = png.toString('latin1', at + 8, at + 8 + length).split('\0');
      if (key === KEY) return value;
    }
    at += 12 + length;
  }
  return null;
}

const svg = draw();
const hash = crypto.createHash('sha256').update(svg).digest('hex');
if (process.argv.includes('--check')) {
  const problems = [];
  if (!fs.existsSync(svgPath) || fs.readFileSync(svgPath, 'utf8') !== svg) problems.push('docs/architecture.svg differs from the layout in tests/deployment/architecture.cjs');
  if (!fs.existsSync(pngPath) || hashIn(fs.readFileSync(pngPath)) !== hash) problems.push('docs/architecture.png was not rendered from the current docs/architecture.svg');
  for (const p of problems) console.log(p);
  if (problems.length > 0) {
    console.log('Regenerate both: node tests/deployment/architecture.cjs (needs rsvg-convert from librsvg2-bin), and commit them.');
    process.exit(1);
  }
  console.log('docs/architecture.svg and docs/architecture.png are up to date.');
} else {
  fs.writeFileSync(svgPath, svg);
  const png = execFileSync('rsvg-convert', ['--format=png', svgPath]);
  fs.writeFileSync(pngPath, withHash(png, hash));
  console.log(`Wrote ${path.relative(root, svgPath)} and ${path.relative(root, pngPath)}.`);
}
