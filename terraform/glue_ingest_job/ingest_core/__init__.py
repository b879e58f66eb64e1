"""The parts of the Glue ingest job that need neither Spark nor AWS.

They mirror the C# engine (src/Ingest) so that both engines read the same dataset definitions, write the
same lake layout and the same ledger items:

- ``definition``: reading and validating a definition document (docs/definition-reference.md);
- ``records``: CSV and JSON Lines read record by record as src/Ingest/Engine/Reading reads them (run on the executors);
- ``expressions``: Spark SQL casts and quality-rule checks built from the definition;
- ``quality``: the messages of runs the quality checks stop (fail rules, the reject budget), as the C# engine's;
- ``layout``: object keys and partition values (src/Ingest/Storage/DatasetLayout.cs, Partitioner.cs);
- ``ledger``: the DynamoDB items of the registry, ledger and lease (src/Ingest.Aws/DynamoDb);
- ``iceberg_write``: the Iceberg table, write modes and snapshot properties (src/Ingest/Engine/Tables/IcebergTable.cs);
- ``recovery``: the commit and the recovery of a job that died (src/Ingest/Engine/Commit/CommitProtocol.cs);
- ``jdbc_source``: database sources read over JDBC: window, SQL, watermark, credentials, type check (src/Ingest.Database);
- ``attempts``: the definition's engine.glue.maxRetries, applied inside the job run.
"""

__all__ = ["attempts", "definition", "expressions", "iceberg_write", "jdbc_source", "layout", "ledger", "metrics", "quality", "records", "recovery"]
