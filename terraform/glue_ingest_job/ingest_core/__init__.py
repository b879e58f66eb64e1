"""The parts of the Glue ingest job that need neither Spark nor AWS.

They mirror the C# engine (src/Ingest) so that both engines read the same dataset definitions, write the
same lake layout and the same ledger items:

- ``definition``: reading and validating a definition document (docs/definition-reference.md);
- ``expressions``: Spark SQL casts and quality-rule checks built from the definition;
- ``layout``: object keys and partition values (src/Ingest/Storage/DatasetLayout.cs, Partitioner.cs);
- ``ledger``: the DynamoDB items of the registry, ledger and lease (src/Ingest.Aws/DynamoDb);
- ``jdbc_source``: database sources read over JDBC: window, SQL, watermark, credentials, type check (src/Ingest.Database);
- ``attempts``: the definition's engine.glue.maxRetries, applied inside the job run.
"""

__all__ = ["attempts", "definition", "expressions", "jdbc_source", "layout", "ledger"]
