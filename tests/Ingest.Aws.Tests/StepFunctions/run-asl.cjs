// Executes a generated ingest state machine with aws-local-stepfunctions, every Task state replaced by a local handler:
// DynamoDB tasks act on an in-memory table (their condition expressions are evaluated, so a wrong condition shows up as a
// wrong outcome), the Glue job plays the scenario's behaviour per dataset (commit RUN#<run id>, fail, or throw a retryable
// error first), SNS records what was published, GetTable answers from the scenario's Glue tables, BatchCreatePartition records the batches.
// Usage: node run-asl.cjs <definition.json> <scenario.json>; prints one JSON report on stdout.
'use strict';

const fs = require('fs');
const path = require('path');
// The polyfill aws-local-stepfunctions needs on Node 20 and the DynamoDB stand-in, shared with the Terraform machine's harness.
const { AwsError, createDynamoDb } = require(path.join(__dirname, '..', '..', 'Shared', 'local-stepfunctions.cjs'));
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

const dynamo = createDynamoDb(table);

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

async function getTable(p) {
  const table = scenario.glueTables?.[`${p.DatabaseName}.${p.Name}`];
  if (!table) throw new AwsError('Glue.EntityNotFoundException', `Table ${p.DatabaseName}.${p.Name} not found`);
  return { Table: { Name: p.Name, DatabaseName: p.DatabaseName, ...structuredClone(table) } };
}

const handlers = {
  AcquireLease: async (p) => dynamo.putItem(p),
  ReleaseAbandonedLease: async (p) => dynamo.deleteItem(p),
  GetTable: getTable,
  LoadSettings: async (p) => dynamo.getItem(p),
  RecordSuccess: async (p) => dynamo.updateItem(p),
  RecordFailure: async (p) => dynamo.updateItem(p),
  ReleaseLease: async (p) => dynamo.deleteItem(p),
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
