// Checks a CloudFormation template against the CloudFormation registry schemas as @aws-cdk/aws-service-spec
// holds them: unknown resource types, unknown properties (also inside nested property types) and missing
// required properties. Values given by an intrinsic function (!Ref, !Sub, !If, ...) are not looked into.
// Usage: node cfn-spec.cjs <template.yaml>; prints one line per problem, exit 1 when there is one.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const YAML = require('yaml');

const db = JSON.parse(zlib.gunzipSync(fs.readFileSync(require.resolve('@aws-cdk/aws-service-spec/db.json.gz')))).schema;
const resourceTypes = new Map(Object.values(db.resource.entities).map((r) => [r.cloudFormationType, r]));
const typeDefinitions = new Map(Object.values(db.typeDefinition.entities).map((t) => [t.$id, t]));

// CloudFormation's short-form tags become { "Fn::X": value } so that they are recognised as functions.
const tags = ['Ref', 'Sub', 'GetAtt', 'If', 'Join', 'Split', 'Select', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'GetAZs',
  'ImportValue', 'Base64', 'Cidr', 'Condition'].flatMap((name) => ['scalar', 'seq', 'map'].map((collection) => ({
  tag: `!${name}`,
  collection: collection === 'scalar' ? undefined : collection,
  resolve: (value) => ({ [name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`]: value && value.toJSON ? value.toJSON() : value }),
})));

function isFunction(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1
    && /^(Ref|Condition|Fn::)/.test(Object.keys(value)[0]);
}

function check(where, type, value, problems) {
  if (value === undefined || value === null || isFunction(value) || !type) return;
  if (type.type === 'array' && Array.isArray(value)) {
    value.forEach((item, i) => check(`${where}[${i}]`, type.element, item, problems));
  } else if (type.type === 'map' && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) check(`${where}.${key}`, type.element, item, problems);
  } else if (type.type === 'union') {
    // The member that fits the value's shape: an array type for a list, a property type for a mapping.
    const member = (type.types || []).find((t) => (Array.isArray(value) ? t.type === 'array' : typeof value === 'object' && t.type === 'ref'));
    if (member) check(where, member, value, problems);
  } else if (type.type === 'ref' && typeof value === 'object' && !Array.isArray(value)) {
    const definition = typeDefinitions.get(type.reference.$ref);
    checkProperties(where, definition.name, definition.properties, value, problems);
  }
}

function checkProperties(where, name, properties, value, problems) {
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key];
    if (!property) {
      problems.push(`${where}: ${key} is not a property of ${name} (known: ${Object.keys(properties).sort().join(', ')})`);
      continue;
    }
    check(`${where}.${key}`, property.type, item, problems);
  }
  for (const [key, property] of Object.entries(properties)) {
    if (property.required && !(key in value)) problems.push(`${where}: ${name} requires ${key}`);
  }
}

const template = YAML.parse(fs.readFileSync(process.argv[2], 'utf8'), { customTags: tags });
const problems = [];
for (const [logicalId, resource] of Object.entries(template.Resources || {})) {
  const spec = resourceTypes.get(resource.Type);
  if (!spec) {
    problems.push(`Resources.${logicalId}: ${resource.Type} is not a CloudFormation resource type`);
    continue;
  }
  checkProperties(`Resources.${logicalId}.Properties`, resource.Type, spec.properties, resource.Properties || {}, problems);
}
for (const problem of problems) console.log(problem);
console.log(`${Object.keys(template.Resources || {}).length} resources checked, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
