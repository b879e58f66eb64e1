"""s3rver and dynalite (tests/package.json, installed by `npm ci --prefix tests`) on free loopback ports, for the tests
that run the job's boto3 code against real servers. They fail, not skip, when the servers cannot start."""

import os
import shutil
import socket
import subprocess
import tempfile

import boto3
from botocore.config import Config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODULES = os.path.join(ROOT, "tests", "node_modules")
CREDENTIALS = {"aws_access_key_id": "S3RVER", "aws_secret_access_key": "S3RVER", "region_name": "us-east-1"}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_listening(process, port, name):
    """Polls the port until the server accepts a connection; fails when the process exits first or never listens
    (a bound on start-up, not an assertion about speed)."""
    for _ in range(1200):
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            try:
                process.wait(0.1)
            except subprocess.TimeoutExpired:
                pass
    raise RuntimeError(f"{name} did not listen on port {port}")


class Servers:
    """Starts both servers; stop() kills them and removes s3rver's folder."""

    def __init__(self):
        node = shutil.which("node")
        if node is None or not os.path.exists(os.path.join(MODULES, "dynalite", "cli.js")):
            raise RuntimeError("node and the test servers are needed: install Node.js and run `npm ci --prefix tests` at the repository root")
        self.folder = tempfile.mkdtemp(prefix="ingest-glue-s3-")
        self.processes = []
        s3_port, dynamo_port = _free_port(), _free_port()
        self._start([node, os.path.join(ROOT, "tests", "s3-server.js"), "--directory", self.folder, "--port", str(s3_port)], s3_port, "s3rver")
        self._start([node, os.path.join(MODULES, "dynalite", "cli.js"), "--port", str(dynamo_port), "--host", "127.0.0.1"], dynamo_port, "dynalite")
        config = Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"})
        self.s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{s3_port}", config=config, **CREDENTIALS)
        self.dynamodb = TransactionsInOrder(boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{dynamo_port}", config=config, **CREDENTIALS))

    def _start(self, command, port, name):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.processes.append(process)
        try:
            _wait_until_listening(process, port, name)
        except Exception:
            self.stop()
            raise

    def create_table(self, name):
        """The metadata table as terraform/dynamodb.tf declares it: pk and sk strings."""
        self.dynamodb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stderr:
                process.stderr.close()
        self.processes = []
        shutil.rmtree(self.folder, ignore_errors=True)


class TransactionsInOrder:
    """A DynamoDB client whose TransactWriteItems dynalite lacks: the items are sent one by one, in order, each with its
    condition (a ConditionCheck as an update that changes nothing), and the first refused one raises
    TransactionCanceledException as DynamoDB would. What is not reproduced is atomicity: items before the refused one
    stay written, so the job's transactions put their guards (the lease check) first; atomicity itself is DynamoDB's."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def transact_write_items(self, TransactItems):
        for action in TransactItems:
            kind, request = next(iter(action.items()))
            request = dict(request)
            try:
                if kind == "ConditionCheck":
                    names = dict(request.pop("ExpressionAttributeNames", {}), **{"#never": "_transactionProbe"})
                    self._client.update_item(UpdateExpression="REMOVE #never", ExpressionAttributeNames=names, **request)
                elif kind == "Put":
                    self._client.put_item(**request)
                elif kind == "Update":
                    self._client.update_item(**request)
                else:
                    self._client.delete_item(**request)
            except self._client.exceptions.ConditionalCheckFailedException as refused:
                raise self._client.exceptions.TransactionCanceledException(
                    {"Error": {"Code": "TransactionCanceledException", "Message": f"Transaction cancelled: {kind} refused ({refused})"}},
                    "TransactWriteItems") from refused
        return {}
