// Checks every resource, data and provider body of a Terraform folder (all its modules) against the providers'
// schemas, offline: the jsii assemblies of @cdktf/provider-aws (generated from hashicorp/aws) and
// @cdktf/provider-archive (hashicorp/archive) describe every resource and data source with its arguments, nested
// blocks and which of them are required. Reported: unknown resource and data types, unknown arguments and blocks,
// missing required arguments and blocks (recursively into nested blocks and the content of dynamic blocks), a block
// written as an argument or the other way round, and a literal of the wrong shape (a list for a string). Values given
// by an expression ("${...}") are not looked into. Meta-arguments (count, for_each, depends_on, provider, lifecycle,
// provisioner, connection) are checked against Terraform's own rules.
// Usage: node provider-schema.cjs <folder>; prints one line per problem, exit 1 when there is one.
'use strict';
const fs = require('fs');
const path = require('path');
const { parseFolder } = require('./hcl2json.cjs');

// ---- schemas from the jsii assemblies ---------------------------------------------------------------------------

const PROVIDERS = ['@cdktf/provider-aws', '@cdktf/provider-archive'];

/** camelCase to snake_case, for the few properties whose docs carry no registry link (timeouts' create, update, ...). */
function snake(name) {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The HCL name of a property: its registry link (#name) names it exactly (cdktf renames a few: self, node, equals). */
function hclName(property) {
  const docs = `${(property.docs && property.docs.summary) || ''} ${(property.docs && property.docs.remarks) || ''}`;
  const link = docs.match(/\{@link \S+#([a-z0-9_]+) [A-Za-z0-9]+#[a-z0-9_]+\}/);
  if (link) return link[1];
  const block = docs.match(/^([a-z0-9_]+) block\./);
  if (block) return block[1];
  return snake(property.name);
}

function loadAssembly(packageName) {
  const file = path.join(path.dirname(require.resolve(`${packageName}/package.json`)), '.jsii');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

class Schemas {
  constructor() {
    this.types = new Map();
    this.bodies = new Map(); // "resource aws_x" | "data aws_x" | "provider aws" -> config struct fqn
    this.versions = [];
    this.structs = new Map();
    for (const packageName of PROVIDERS) {
      const assembly = loadAssembly(packageName);
      for (const [fqn, type] of Object.entries(assembly.types)) this.types.set(fqn, type);
      for (const type of Object.values(assembly.types)) {
        if (type.kind !== 'class' || !type.initializer || !type.docs || !type.docs.summary) continue;
        const link = type.docs.summary.match(/^Represents a \{@link https:\/\/registry\.terraform\.io\/providers\/([^/]+\/[^/]+)\/([^/]+)\/docs(?:\/(resources|data-sources)\/\S+)? ([a-z0-9_]+)\}/);
        const kind = { 'cdktf.TerraformResource': 'resource', 'cdktf.TerraformDataSource': 'data', 'cdktf.TerraformProvider': 'provider' }[type.base];
        if (!link || !kind) continue;
        const config = type.initializer.parameters.find((p) => p.name === 'config');
        this.bodies.set(`${kind} ${link[4]}`, config.type.fqn);
        if (kind === 'provider') this.versions.push(`${link[1]} ${link[2]}`);
      }
    }
  }

  /** The struct (arguments and nested blocks) behind a jsii datatype interface. */
  struct(fqn) {
    if (this.structs.has(fqn)) return this.structs.get(fqn);
    const type = this.types.get(fqn);
    const struct = { name: fqn.replace(/^.*\./, ''), members: new Map() };
    this.structs.set(fqn, struct);
    const own = (t) => [...(t.properties || []),
      ...(t.interfaces || []).filter((i) => this.types.has(i)).flatMap((i) => own(this.types.get(i)))];
    for (const property of own(type)) {
      struct.members.set(hclName(property), { required: !property.optional, ...this.shape(property.type) });
    }
    return struct;
  }

  /** What a property holds: a nested struct (block or nested attribute; one, a list or a map of them) or a plain value. */
  shape(type) {
    if (type.union) {
      const members = type.union.types.filter((t) => t.fqn !== 'cdktf.IResolvable');
      return members.length === 1 ? this.shape(members[0]) : { value: 'any' };
    }
    if (type.collection) {
      const element = this.shape(type.collection.elementtype);
      if (element.struct) return { ...element, collection: type.collection.kind };
      return { value: type.collection.kind, element: element.value };
    }
    if (type.fqn && this.types.has(type.fqn) && this.types.get(type.fqn).datatype) {
      return { struct: type.fqn, collection: 'single' };
    }
    if (type.primitive) return { value: type.primitive };
    return { value: 'any' };
  }
}

// ---- Terraform's own meta-arguments -----------------------------------------------------------------------------

const CONDITION = { name: 'condition', members: new Map([['condition', { required: true, value: 'boolean' }], ['error_message', { required: true, value: 'string' }]]) };
const LIFECYCLE = {
  name: 'lifecycle',
  members: new Map([
    ['create_before_destroy', { value: 'boolean' }], ['prevent_destroy', { value: 'boolean' }],
    ['ignore_changes', { value: 'any' }], ['replace_triggered_by', { value: 'array', element: 'any' }],
    ['precondition', { inline: CONDITION, collection: 'array' }], ['postcondition', { inline: CONDITION, collection: 'array' }],
  ]),
};
const META = {
  resource: ['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection'],
  data: ['count', 'for_each', 'depends_on', 'provider', 'lifecycle'],
  provider: ['alias'],
};
// terraform_data is built into Terraform, not a provider.
const BUILT_IN = {
  'resource terraform_data': { name: 'terraform_data', members: new Map([['input', { value: 'any' }], ['triggers_replace', { value: 'any' }]]) },
};
const DYNAMIC_KEYS = new Set(['for_each', 'iterator', 'labels', 'content']);

// ---- checking bodies --------------------------------------------------------------------------------------------

function isExpression(value) {
  return typeof value === 'string' && value.includes('${');
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function closest(name, candidates) {
  // A name that another extends (aws_s3_bucket_lifecycle, aws_s3_bucket_lifecycle_configuration) is the likelier meaning.
  const longer = candidates.filter((c) => c.startsWith(`${name}_`)).sort((x, y) => x.length - y.length);
  if (longer.length > 0) return longer[0];
  const distance = (a, b) => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  const ranked = candidates.map((c) => [c, distance(name, c)]).sort((x, y) => x[1] - y[1]);
  return ranked.length > 0 && ranked[0][1] <= Math.max(2, Math.floor(name.length / 3)) ? ranked[0][0] : null;
}

/** How a message names a body: aws_x, or the a.b block of aws_x. */
function name(label) {
  return label.path.length === 0 ? label.type : `the ${label.path.join('.')} block of ${label.type}`;
}

function inner(label, key) {
  return { type: label.type, path: [...label.path, key] };
}

class Checker {
  constructor(schemas) {
    this.schemas = schemas;
    this.problems = [];
    this.checked = 0;
  }

  structOf(member) {
    return member.inline || this.schemas.struct(member.struct);
  }

  /** Checks one body (a resource's, or a nested block's) against a struct; label names it (aws_x, the a.b block of aws_x). */
  body(where, struct, body, meta, label) {
    const present = new Set();
    for (const [key, value] of Object.entries(body)) {
      if (meta.includes(key)) {
        present.add(key);
        if (key === 'lifecycle') this.nested(`${where}.lifecycle`, { inline: LIFECYCLE, collection: 'single' }, value, 'lifecycle', { ...label, path: ['lifecycle'] });
        continue;
      }
      if (key === 'dynamic') {
        this.dynamic(where, struct, value, present, label);
        continue;
      }
      const member = struct.members.get(key);
      if (!member) {
        const known = [...struct.members.keys()];
        const suggestion = closest(key, known);
        this.problems.push(`${where}: ${key} is not an argument or block of ${name(label)}`
          + (suggestion ? ` (did you mean ${suggestion}?)` : ` (known: ${known.sort().join(', ')})`));
        continue;
      }
      present.add(key);
      if (member.struct || member.inline) this.nested(`${where}.${key}`, member, value, key, inner(label, key));
      else this.value(`${where}.${key}`, member, value, key);
    }
    for (const [key, member] of struct.members) {
      if (member.required && !present.has(key)) {
        this.problems.push(`${where}: ${name(label)} requires ${member.struct || member.inline ? `a ${key} block` : `the argument ${key}`}`);
      }
    }
  }

  /** A nested block or nested attribute: one object, a list of them (blocks as HCL writes them), or a map of them. */
  nested(where, member, value, key, label) {
    if (isExpression(value)) return;
    const struct = this.structOf(member);
    if (member.collection === 'map') {
      if (!isObject(value)) this.problems.push(`${where}: ${key} takes a map of ${name(label)} objects`);
      else for (const [entry, item] of Object.entries(value)) if (!isExpression(item)) this.item(`${where}["${entry}"]`, struct, item, key, label);
      return;
    }
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => this.item(Array.isArray(value) ? `${where}[${i}]` : where, struct, item, key, label));
  }

  item(where, struct, item, key, label) {
    if (isExpression(item)) return;
    if (!isObject(item)) {
      this.problems.push(`${where}: ${key} is a block of ${name({ ...label, path: label.path.slice(0, -1) })}; write ${key} { ... }, not a value`);
      return;
    }
    this.body(where, struct, item, [], label);
  }

  /** dynamic "x" { for_each = ...; content { ... } }: x must be a block of the struct, content is checked as x. */
  dynamic(where, struct, dynamics, present, label) {
    for (const [key, specs] of Object.entries(dynamics)) {
      const member = struct.members.get(key);
      (Array.isArray(specs) ? specs : [specs]).forEach((spec, i) => {
        const at = `${where}.dynamic.${key}[${i}]`;
        if (!member || !(member.struct || member.inline)) {
          const blocks = [...struct.members].filter(([, m]) => m.struct || m.inline).map(([k]) => k);
          const suggestion = closest(key, blocks);
          this.problems.push(`${at}: dynamic "${key}" generates no block of ${name(label)}`
            + (suggestion ? ` (did you mean ${suggestion}?)` : ` (blocks: ${blocks.sort().join(', ') || 'none'})`));
          return;
        }
        present.add(key);
        for (const name of Object.keys(spec)) {
          if (!DYNAMIC_KEYS.has(name)) this.problems.push(`${at}: ${name} is not an argument of a dynamic block (for_each, iterator, labels, content)`);
        }
        if (!('for_each' in spec)) this.problems.push(`${at}: a dynamic block requires for_each`);
        if (!('content' in spec)) {
          this.problems.push(`${at}: a dynamic block requires a content block`);
          return;
        }
        const contents = Array.isArray(spec.content) ? spec.content : [spec.content];
        contents.forEach((content) => this.item(`${at}.content`, this.structOf(member), content, key, inner(label, key)));
      });
    }
  }

  /** A plain argument: a literal must have the shape the schema gives (expressions are not evaluated). */
  value(where, member, value, key) {
    if (isExpression(value) || value === null || member.value === 'any') return;
    const blockLike = Array.isArray(value) && value.length > 0 && value.every(isObject);
    if (member.value === 'map') {
      if (Array.isArray(value)) this.problems.push(`${where}: ${key} is an argument (a map); write ${key} = { ... }${blockLike ? ', not a block' : ''}`);
      return;
    }
    if (member.value === 'array') {
      if (isObject(value)) this.problems.push(`${where}: ${key} is an argument (a list); write ${key} = [ ... ]`);
      return;
    }
    if (Array.isArray(value) || isObject(value)) {
      this.problems.push(`${where}: ${key} is an argument (a ${member.value}), not ${blockLike ? 'a block' : Array.isArray(value) ? 'a list' : 'an object'}`);
    }
  }

  /** Every resource, data and provider body of one parsed file. */
  file(file, parsed) {
    for (const kind of ['resource', 'data']) {
      for (const [type, byName] of Object.entries(parsed[kind] || {})) {
        for (const [name, bodies] of Object.entries(byName)) {
          for (const body of bodies) {
            this.checked++;
            const where = `${file} ${kind === 'data' ? 'data.' : ''}${type}.${name}`;
            const struct = this.lookup(kind, type);
            if (!struct) {
              const known = [...this.schemas.bodies.keys()].filter((k) => k.startsWith(`${kind} `)).map((k) => k.slice(kind.length + 1));
              const suggestion = closest(type, known);
              this.problems.push(`${where}: ${type} is not a ${kind === 'data' ? 'data source' : 'resource type'} of ${this.schemas.versions.join(' or ')}`
                + (suggestion ? ` (did you mean ${suggestion}?)` : ''));
              continue;
            }
            this.body(where, struct, body, META[kind], { type: kind === 'data' ? `data source ${type}` : type, path: [] });
          }
        }
      }
    }
    for (const [name, bodies] of Object.entries(parsed.provider || {})) {
      for (const body of bodies) {
        this.checked++;
        const struct = this.lookup('provider', name);
        if (!struct) this.problems.push(`${file} provider ${name}: no schema for this provider (checked: ${this.schemas.versions.join(', ')})`);
        else this.body(`${file} provider ${name}`, struct, body, META.provider, { type: `provider ${name}`, path: [] });
      }
    }
  }

  lookup(kind, type) {
    const fqn = this.schemas.bodies.get(`${kind} ${type}`);
    if (fqn) return this.schemas.struct(fqn);
    return BUILT_IN[`${kind} ${type}`] || null;
  }
}

(async () => {
  const folder = process.argv[2];
  if (!folder) {
    process.stderr.write('Usage: node provider-schema.cjs <terraform folder>\n');
    process.exit(2);
  }
  const files = await parseFolder(folder);
  const checker = new Checker(new Schemas());
  for (const [file, parsed] of Object.entries(files)) {
    if (parsed.$error) checker.problems.push(`${file}: does not parse: ${parsed.$error}`);
    else checker.file(file, parsed);
  }
  for (const problem of checker.problems) console.log(problem);
  console.log(`${checker.checked} resource, data and provider bodies in ${Object.keys(files).length} files checked against ${checker.schemas.versions.join(' and ')}, ${checker.problems.length} problems`);
  process.exit(checker.problems.length === 0 ? 0 : 1);
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(3);
});
