// Executes a generated ingest state machine with aws-local-stepfunctions, every Task state replaced by a local handler:
// DynamoDB tasks act on an in-memory table (their condition expressions are evaluated, so a wrong condition shows up as a
// wrong outcome), the Glue job plays the scenario's behaviour per dataset (commit RUN#<run id>, fail, or throw a retryable
// error first), SNS records what was published, BatchCreatePartition records the batches.
// Usage: node run-asl.cjs <definition.json> <scenario.json>; prints one JSON report on stdout.
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

const fs = require('fs');
const path = require('path');
const { StateMachine } = require(path.join(process.env.AWS_MODELS_DIR, 'node_modules', 'aws-local-stepfunctions'));

const [definitionPath, scenarioPath] = process.argv.slice(2);
const definition = JSON.parse(fs.readFileSync(definitionPath, 'utf8'));
const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8'));

const table = new Map();
for (const item of scenario.table ?? []) table.set(`${item.pk.S}|${item.sk.S}`, item);
const published = [];
const glueCalls = [];
const partitionBatches = [];
const glueAttempts = {};

class AwsError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

const scalar = (av) => (av === undefined ? undefined : 'S' in av ? av.S : 'N' in av ? Number(av.N) : JSON.stringify(av));

// Conditions used by the generator: attribute_not_exists(a), x = :v, #n IN (:a, :b), joined by OR.
function condition(expression, item, names = {}, values = {}) {
  if (!expression) return true;
  const attr = (t) => (item ? scalar(item[t.startsWith('#') ? names[t] : t]) : undefined);
  return expression.split(/\s+OR\s+/).some((part) => {
    let m;
    if ((m = /^attribute_not_exists\((\S+)\)$/.exec(part.trim()))) return attr(m[1]) === undefined;
    if ((m = /^(\S+)\s*=\s*(:\w+)$/.exec(part.trim()))) return attr(m[1]) !== undefined && attr(m[1]) === scalar(values[m[2]]);
    if ((m = /^(\S+)\s+IN\s*\(([^)]*)\)$/.exec(part.trim()))) {
      return m[2].split(',').map((v) => scalar(values[v.trim()])).includes(attr(m[1]));
    }
    throw new Error(`Unsupported condition: ${part}`);
  });
}

const key = (k) => `${k.pk.S}|${k.sk.S}`;
const dynamo = {
  putItem: async (p) => {
    if (!condition(p.ConditionExpression, table.get(key(p.Item)), p.ExpressionAttributeNames, p.ExpressionAttributeValues)) {
      throw new AwsError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
    }
    table.set(key(p.Item), p.Item);
    return {};
  },
  getItem: async (p) => (table.has(key(p.Key)) ? { Item: table.get(key(p.Key)) } : {}),
  updateItem: async (p) => {
    const existing = table.get(key(p.Key));
    if (!condition(p.ConditionExpression, existing, p.ExpressionAttributeNames, p.ExpressionAttributeValues)) {
      throw new AwsError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
    }
    const item = { ...(existing ?? { pk: p.Key.pk, sk: p.Key.sk }) };
    const sets = p.UpdateExpression.replace(/^SET\s+/, '').split(',');
    for (const set of sets) {
      const [name, value] = set.split('=').map((s) => s.trim());
      item[name.startsWith('#') ? p.ExpressionAttributeNames[name] : name] = p.ExpressionAttributeValues[value];
    }
    table.set(key(p.Key), item);
    return p.ReturnValues === 'ALL_NEW' ? { Attributes: item } : {};
  },
  deleteItem: async (p) => {
    if (!condition(p.ConditionExpression, table.get(key(p.Key)), p.ExpressionAttributeNames, p.ExpressionAttributeValues)) {
      throw new AwsError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
    }
    table.delete(key(p.Key));
    return {};
  },
};

async function runGlueJob(p) {
  const dataset = p.Arguments['--dataset'];
  glueCalls.push(p);
  const behaviours = scenario.glue?.[dataset] ?? ['succeed'];
  const attempt = glueAttempts[dataset] = (glueAttempts[dataset] ?? 0) + 1;
  const behaviour = behaviours[Math.min(attempt, behaviours.length) - 1];
  if (behaviour === 'throttled') throw new AwsError('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded');
  if (behaviour === 'fail') throw new AwsError('States.TaskFailed', 'Glue job run failed: the source file is not UTF-8');
  // The job commits the run in the ledger the way the C# ledger does (status attribute + JSON body).
  const runId = p.Arguments['--run_id'];
  const body = {
    runId, dataset, definitionVersion: Number(p.Arguments['--definition_version']), status: 'succeeded',
    rowsRead: 10, rowsWritten: 10, rowsRejected: 0, partitionsWritten: scenario.partitions?.[dataset] ?? [],
  };
  table.set(`DATASET#${dataset}|RUN#${runId}`, {
    pk: { S: `DATASET#${dataset}` }, sk: { S: `RUN#${runId}` }, status: { S: 'succeeded' }, body: { S: JSON.stringify(body) },
  });
  return { Id: `jr_${attempt}_${dataset}`, JobRunState: 'SUCCEEDED', JobName: p.JobName };
}

async function createPartitions(p) {
  partitionBatches.push(p);
  const errors = p.PartitionInputList
    .filter((input) => (scenario.existingPartitions ?? []).includes(input.Values.join('/')))
    .map((input) => ({ PartitionValues: input.Values, ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' } }));
  if (scenario.partitionError) {
    errors.push({ PartitionValues: p.PartitionInputList[0].Values, ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: 'bad' } });
  }
  return errors.length ? { Errors: errors } : {};
}

const handlers = {
  AcquireLease: dynamo.putItem,
  LoadSettings: dynamo.getItem,
  RecordSuccess: dynamo.updateItem,
  RecordFailure: dynamo.updateItem,
  ReleaseLease: dynamo.deleteItem,
  RunGlueJob: runGlueJob,
  CreatePartitions: createPartitions,
  PublishFailure: async (p) => { published.push(p); return { MessageId: `m-${published.length}` }; },
};
const noWait = Object.fromEntries(Object.keys(handlers).map((name) => [name, 0]));

(async () => {
  const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });
  const execution = machine.run(scenario.input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: noWait },
    // The local executor keeps the context object as given: it does not set $$.State, so the entered time is fixed here.
    context: {
      Execution: { Id: 'arn:aws:states:eu-central-1:123456789012:execution:ingest:test', Input: scenario.input, Name: 'test' },
      State: { EnteredTime: '2024-05-01T10:00:00.123Z', Name: 'NewRunId' },
    },
  });
  const report = { glueCalls, published, partitionBatches, glueAttempts };
  try {
    report.status = 'SUCCEEDED';
    report.output = await execution.result;
  } catch (error) {
    report.status = 'FAILED';
    // ExecutionError wraps the failing state's error as its cause.
    report.error = error.cause?.name ?? error.name;
    report.cause = error.cause?.message ?? error.message;
  }
  report.table = Object.fromEntries(table);
  process.stdout.write(JSON.stringify(report));
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
