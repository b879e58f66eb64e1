// Parses every .tf file under a folder with HashiCorp's HCL parser (@cdktf/hcl2json, compiled to
// WebAssembly) and prints { "<relative path>": <parsed JSON> | { "$error": "<message>" } }.
// Usage: node hcl2json.cjs <folder>; other scripts require it for parseFolder(folder).
'use strict';
const fs = require('fs');
const path = require('path');
const { parse } = require('@cdktf/hcl2json');

function walk(dir, found) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'build') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, found);
    else if (entry.name.endsWith('.tf')) found.push(full);
  }
  return found;
}

async function parseFolder(folder) {
  const root = path.resolve(folder);
  const result = {};
  for (const file of walk(root, []).sort()) {
    const relative = path.relative(root, file).split(path.sep).join('/');
    try {
      result[relative] = await parse(relative, fs.readFileSync(file, 'utf8'));
    } catch (error) {
      result[relative] = { $error: String(error && error.message ? error.message : error) };
    }
  }
  return result;
}

module.exports = { parseFolder };

if (require.main === module) {
  parseFolder(process.argv[2]).then((result) => process.stdout.write(JSON.stringify(result))).catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error));
    process.exit(3);
  });
}
