// Runs the ingest state machine (a rendered terraform/step_functions/ingest.asl.json) with
// aws-local-stepfunctions, every Task state replaced by a local handler:
//   - DynamoDB tasks act on an in-memory table (the condition and update expressions the
//     definition uses are evaluated here, so a wrong condition shows up as a wrong outcome);
//   - the Glue task plays the Glue job: it adopts the lease and commits RUN#<run id>, or fails;
//   - the SNS task records what was published.
// Known difference from AWS: this executor's States.JsonToString leaves quotes inside string values unescaped
// (AWS escapes them), so a body that embeds a quoted error cause is not valid JSON here; tests assert on content.
// Usage: node run-asl.cjs <definition.json> <scenario.json>; prints one JSON report on stdout.
'use strict';

const path = require('path');
// The polyfill aws-local-stepfunctions needs on Node 20 and the DynamoDB stand-in, shared with the generated machine's harness.
const { AwsError, createDynamoDb } = require(path.join(__dirname, '..', 'Shared', 'local-stepfunctions.cjs'));
const fs = require('fs');
const { StateMachine } = require('aws-local-stepfunctions');

const [definitionPath, scenarioPath] = process.argv.slice(2);
const definition = JSON.parse(fs.readFileSync(definitionPath, 'utf8'));
const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8'));

const table = new Map();
for (const item of scenario.table ?? []) table.set(`${item.pk.S}|${item.sk.S}`, item);
const published = [];
const calls = [];
const glueCalls = [];

const dynamodb = createDynamoDb(table, scenario.tableName);

// --- the Glue job as the state machine sees it ----------------------------------------------------
let glueAttempts = 0;
function glueJob(params) {
  glueAttempts += 1;
  glueCalls.push(structuredClone(params));
  const args = params.Arguments;
  const pk = `DATASET#${args['--dataset']}`;
  const behaviour = scenario.glue ?? 'succeed';
  if (params.JobName !== scenario.glueJobName) throw new AwsError('Glue.EntityNotFoundException', `Job ${params.JobName} not found`);
  if (behaviour === 'throttle-then-succeed' && glueAttempts === 1) {
    throw new AwsError('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded for ingest-glue-job');
  }
  // The job adopts the lease (real expiry) and records the run as running.
  const lease = table.get(`${pk}|LEASE`);
  if (!lease || lease.runId.S !== args['--run_id']) throw new Error('The Glue job started without holding the lease');
  lease.expiresAt = { S: '2026-11-25T02:10:00Z' };
  const run = {
    runId: args['--run_id'],
    dataset: args['--dataset'],
    definitionVersion: Number(args['--definition_version']),
    status: 'running',
    startedAt: args['--started_at'],
  };
  const runKey = `${pk}|RUN#${args['--run_id']}`;
  table.set(runKey, { pk: { S: pk }, sk: { S: `RUN#${args['--run_id']}` }, status: { S: 'running' }, body: { S: JSON.stringify(run) } });
  if (behaviour === 'fail') {
    throw new AwsError('States.TaskFailed', JSON.stringify({ JobRunState: 'FAILED', ErrorMessage: 'AnalysisException: column OnHand not found' }));
  }
  if (behaviour === 'no-commit') {
    return { Id: 'jr_0001', JobRunState: 'SUCCEEDED' };
  }
  const done = { ...run, status: 'succeeded', endedAt: '2026-11-25T02:05:00Z', rowsRead: 10, rowsWritten: 9, rowsRejected: 1 };
  table.set(runKey, { pk: { S: pk }, sk: { S: `RUN#${args['--run_id']}` }, status: { S: 'succeeded' }, body: { S: JSON.stringify(done) } });
  return { Id: 'jr_0001', JobRunState: 'SUCCEEDED', ExecutionTime: 42 };
}

function sns(params) {
  if (params.TopicArn !== scenario.topicArn) throw new AwsError('SNS.NotFoundException', `Topic ${params.TopicArn} does not exist`);
  published.push(params);
  return { MessageId: `m-${published.length}` };
}

// Every Task state gets a handler chosen by its resource.
const handlers = {};
function collect(states) {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') {
      const resource = state.Resource;
      let fn;
      if (resource.startsWith('arn:aws:states:::dynamodb:')) fn = dynamodb[resource.split(':').pop()];
      else if (resource.startsWith('arn:aws:states:::glue:startJobRun')) fn = glueJob;
      else if (resource === 'arn:aws:states:::sns:publish') fn = sns;
      if (!fn) throw new Error(`No local handler for ${name} (${resource})`);
      handlers[name] = async (input) => { calls.push(name); return fn(input); };
    }
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) collect(inner.States);
    for (const branch of state.Branches ?? []) collect(branch.States);
  }
}
collect(definition.States);

const retryIntervalOverrides = {};
for (const name of Object.keys(handlers)) retryIntervalOverrides[name] = 0;

(async () => {
  const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });
  const execution = machine.run(scenario.input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    context: scenario.context,
  });
  const report = { calls, published };
  try {
    report.output = await execution.result;
    report.status = 'SUCCEEDED';
  } catch (error) {
    report.status = 'FAILED';
    report.error = error.name;
    report.cause = error.cause ?? error.message;
  }
  report.glueAttempts = glueAttempts;
  report.glueCalls = glueCalls;
  report.table = [...table.values()];
  process.stdout.write(JSON.stringify(report, null, 2));
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(3);
});
