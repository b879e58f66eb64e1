// Shared by the two local Step Functions harnesses (tests/deployment/run-asl.cjs for the Terraform state machine,
// tests/Ingest.Aws.Tests/StepFunctions/run-asl.cjs for the generated one): the Node 20 polyfill that
// aws-local-stepfunctions 3 needs, and an in-memory DynamoDB table whose putItem/getItem/updateItem/deleteItem evaluate
// the condition and update expressions a state machine sends, so a wrong condition shows up as a wrong outcome.
'use strict';

// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

class AwsError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function tokenize(text) {
  const tokens = [];
  const re = /\s*(attribute_not_exists|attribute_exists|<>|<=|>=|[=<>(),]|[#:]?[A-Za-z_][A-Za-z0-9_]*)/y;
  let match;
  let index = 0;
  while (index < text.length) {
    re.lastIndex = index;
    match = re.exec(text);
    if (!match) {
      if (/^\s*$/.test(text.slice(index))) break;
      throw new Error(`Cannot tokenize expression at: ${text.slice(index)}`);
    }
    tokens.push(match[1]);
    index = re.lastIndex;
  }
  return tokens;
}

function scalar(av) {
  if (av === undefined) return undefined;
  if ('S' in av) return av.S;
  if ('N' in av) return Number(av.N);
  if ('BOOL' in av) return av.BOOL;
  return JSON.stringify(av);
}

function evaluateCondition(expression, item, names, values) {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (t) => { if (next() !== t) throw new Error(`Expected ${t} in ${expression}`); };
  const attributeName = (t) => (t.startsWith('#') ? names[t] : t);
  const operand = () => {
    const t = next();
    if (t.startsWith(':')) {
      if (!(t in values)) throw new Error(`Missing value ${t}`);
      return scalar(values[t]);
    }
    return item ? scalar(item[attributeName(t)]) : undefined;
  };
  const primary = () => {
    const t = peek();
    if (t === '(') { next(); const v = or(); expect(')'); return v; }
    if (t === 'NOT') { next(); return !primary(); }
    if (t === 'attribute_not_exists' || t === 'attribute_exists') {
      next(); expect('(');
      const name = attributeName(next());
      expect(')');
      const exists = !!item && name in item;
      return t === 'attribute_exists' ? exists : !exists;
    }
    const left = operand();
    const op = next();
    if (op === 'IN') {
      expect('(');
      const options = [operand()];
      while (peek() === ',') { next(); options.push(operand()); }
      expect(')');
      return left !== undefined && options.includes(left);
    }
    const right = operand();
    if (left === undefined || right === undefined) return false;
    switch (op) {
      case '=': return left === right;
      case '<>': return left !== right;
      case '<': return left < right;
      case '<=': return left <= right;
      case '>': return left > right;
      case '>=': return left >= right;
      default: throw new Error(`Unknown operator ${op} in ${expression}`);
    }
  };
  const and = () => { let v = primary(); while (peek() === 'AND') { next(); const r = primary(); v = v && r; } return v; };
  const or = () => { let v = and(); while (peek() === 'OR') { next(); const r = and(); v = v || r; } return v; };
  const result = or();
  if (pos !== tokens.length) throw new Error(`Unparsed tail in ${expression}`);
  return result;
}

function applyUpdate(expression, item, names, values) {
  const match = /^\s*SET\s+(.*)$/s.exec(expression);
  if (!match) throw new Error(`Only SET updates are emulated: ${expression}`);
  for (const assignment of match[1].split(',')) {
    const [left, right] = assignment.split('=').map((s) => s.trim());
    const name = left.startsWith('#') ? names[left] : left;
    if (!(right in values)) throw new Error(`Missing value ${right}`);
    item[name] = values[right];
  }
}

function checkCondition(params, item) {
  if (!params.ConditionExpression) return;
  const ok = evaluateCondition(params.ConditionExpression, item, params.ExpressionAttributeNames ?? {}, params.ExpressionAttributeValues ?? {});
  if (!ok) throw new AwsError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
}

const keyOf = (key) => `${key.pk.S}|${key.sk.S}`;

// A DynamoDB stand-in over `table` (a Map of "pk|sk" to items). With `tableName`, requests for another table fail.
function createDynamoDb(table, tableName) {
  function expectTable(params) {
    if (tableName !== undefined && params.TableName !== tableName) {
      throw new AwsError('DynamoDB.ResourceNotFoundException', `Requested resource not found: ${params.TableName}`);
    }
  }

  return {
    putItem(params) {
      expectTable(params);
      const key = keyOf(params.Item);
      checkCondition(params, table.get(key));
      table.set(key, structuredClone(params.Item));
      return {};
    },
    getItem(params) {
      expectTable(params);
      const item = table.get(keyOf(params.Key));
      if (!item) return {};
      if (!params.ProjectionExpression) return { Item: structuredClone(item) };
      // Top-level attributes only (names or #aliases), as the definitions use it.
      const names = params.ExpressionAttributeNames ?? {};
      const projected = {};
      for (const token of params.ProjectionExpression.split(',').map((t) => t.trim())) {
        const name = token.startsWith('#') ? names[token] : token;
        if (name === undefined) throw new AwsError('DynamoDB.ValidationException', `Undefined attribute name ${token} in ProjectionExpression`);
        if (name in item) projected[name] = structuredClone(item[name]);
      }
      return { Item: projected };
    },
    updateItem(params) {
      expectTable(params);
      const key = keyOf(params.Key);
      const current = table.get(key);
      checkCondition(params, current);
      const item = current ? structuredClone(current) : { pk: params.Key.pk, sk: params.Key.sk };
      applyUpdate(params.UpdateExpression, item, params.ExpressionAttributeNames ?? {}, params.ExpressionAttributeValues ?? {});
      table.set(key, item);
      return params.ReturnValues === 'ALL_NEW' ? { Attributes: structuredClone(item) } : {};
    },
    deleteItem(params) {
      expectTable(params);
      const key = keyOf(params.Key);
      checkCondition(params, table.get(key));
      table.delete(key);
      return {};
    },
  };
}

module.exports = { AwsError, createDynamoDb };
