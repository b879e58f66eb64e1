using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Transfer;
using DuckDB.NET.Data;
using Ingest.Aws;
using Ingest.Catalog;
using Ingest.Engine;
using Ingest.Storage;

namespace Ingest.Benchmarks;

/// <summary>
/// <c>--s3</c>: the orders CSV ingested into an Iceberg table on S3 (s3rver, the test suite's S3 server, and dynalite for the
/// registry, ledger and table pointer), against the path's own limit: a plain multipart upload by the AWS SDK, from this
/// process, of the same bytes the run writes (its raw copy and its data files). Prints the run's time, the share of its
/// commit (from the engine's "committing" event to its "succeeded" event: manifest, snapshot, pointer swap,
/// quarantine promotion, ledger; raw copies are written in place before it), the upload's time and their ratio. Every run's snapshot is downloaded and its figures compared with
/// DuckDB's own conversion of the same CSV.
/// </summary>
/// <remarks>Needs Node.js and <c>npm ci --prefix tests</c> (s3rver, dynalite); the servers run on loopback and store in a temporary folder.</remarks>
internal static class S3Benchmark
{
    public static async Task<int> MainAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = 2_000_000;
        var runs = 3;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows" when i + 1 < args.Length: rows = int.Parse(args[++i], inv); break;
                case "--runs" when i + 1 < args.Length: runs = int.Parse(args[++i], inv); break;
                default:
                    Console.Error.WriteLine("usage: Ingest.Benchmarks --s3 [--rows N] [--runs N]");
                    return 2;
            }
        }

        var project = typeof(S3Benchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "ProjectDirectory").Value!;
        var tests = Path.GetFullPath(Path.Combine(project, "..", "..", "tests"));
        var dynalite = Path.Combine(tests, "node_modules", "dynalite", "cli.js");
        if (!File.Exists(dynalite))
        {
            Console.Error.WriteLine($"no S3 and DynamoDB servers: run npm ci --prefix {tests} (Node.js 20+)");
            return 2;
        }

        var (csv, _) = CsvGenerator.GetOrCreate(Path.Combine(project, "data"), rows);
        var inputBytes = new FileInfo(csv).Length;
        var root = Directory.CreateTempSubdirectory("ingest-s3-bench-").FullName;
        var s3Port = FreePort();
        var dynamoPort = FreePort();
        using var s3 = StartNode(Path.Combine(tests, "s3-server.js"), "--directory", Path.Combine(root, "s3"), "--port", s3Port.ToString(inv));
        using var dynamo = StartNode(dynalite, "--port", dynamoPort.ToString(inv), "--host", "127.0.0.1");
        try
        {
            await WaitForPortAsync(s3Port);
            await WaitForPortAsync(dynamoPort);
            var reference = await ReferenceFiguresAsync(csv, Path.Combine(root, "duckdb"));
            Console.WriteLine(string.Create(inv, $"orders CSV: {rows:N0} rows, {inputBytes / 1048576.0:0.0} MiB; {Environment.ProcessorCount} cores; {runs} rounds; s3rver and dynalite on loopback"));
            var runSeconds = new List<double>();
            var commitShares = new List<double>();
            var uploadSeconds = new List<double>();
            var rawShares = new List<double>();
            var curatedShares = new List<double>();
            var failures = new List<string>();
            using var http = new HttpTimeline();
            for (var round = 1; round <= runs; round++)
            {
                var options = Options(s3Port, dynamoPort, round);
                await AwsIngest.EnsureResourcesAsync(options);
                http.Clear();
                var (seconds, commit, written) = await RunIngestAsync(options, csv);

                // Time with at least one request to the zone's bucket in flight: the raw copy (raw zone) and the data files (curated zone).
                var raw = http.BusySeconds($"/{options.ZoneBuckets[LakeZone.Raw.Name]}/");
                var curated = http.BusySeconds($"/{options.ZoneBuckets[LakeZone.Curated.Name]}/");
                var anyS3 = http.BusySeconds($":{s3Port}/");
                var figures = await DownloadFiguresAsync(options, Path.Combine(root, $"read-{round}"));
                if (!figures.SequenceEqual(reference))
                {
                    failures.Add($"round {round}: {string.Join("; ", figures)} ≠ {string.Join("; ", reference)}");
                }

                var upload = await UploadAsync(options, csv, written, Path.Combine(root, $"read-{round}"));
                runSeconds.Add(seconds);
                commitShares.Add(commit / seconds);
                uploadSeconds.Add(upload);
                rawShares.Add(raw / seconds);
                curatedShares.Add(curated / seconds);
                Console.WriteLine(string.Create(inv,
                    $"round {round}: Ingest run {seconds,6:0.00} s (commit {commit,5:0.00} s, {commit / seconds,5:P1}; raw copy requests in flight {raw,5:0.00} s, {raw / seconds,5:P1}; data file uploads {curated,5:0.00} s, {curated / seconds,5:P1}; any S3 request {anyS3 / seconds,5:P1}); plain multipart upload of the same {(inputBytes + written) / 1048576.0:0.0} MiB {upload,6:0.00} s; {(figures.SequenceEqual(reference) ? "verified" : "WRONG")}"));
            }

            var medianRun = Median(runSeconds);
            var ratio = Median(uploadSeconds) / medianRun;
            var share = Median(commitShares);
            Console.WriteLine();
            Console.WriteLine(string.Create(inv, $"median run {medianRun:0.00} s; commit share {share:P1} (target < 5 %: {(share < 0.05 ? "met" : "not met")})"));
            Console.WriteLine(string.Create(inv, $"median shares of the run: raw copy {Median(rawShares):P1}, data file uploads {Median(curatedShares):P1}, commit {share:P1}; load average {PostgresBenchmark.LoadAverage()}"));

            var report = new TargetReport();
            report.Add(Issue18.S3, ratio, 0.8, higherIsBetter: true);
            report.Print(Console.Out, "Issue 18 target measured by --s3");
            foreach (var failure in failures)
            {
                Console.Error.WriteLine("WRONG OUTPUT " + failure);
            }

            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            Stop(s3);
            Stop(dynamo);
            Directory.Delete(root, recursive: true);
        }
    }

    private static AwsIngestOptions Options(int s3Port, int dynamoPort, int round)
    {
        var options = new AwsIngestOptions
        {
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("S3RVER", "S3RVER"),
            S3ServiceUrl = $"http://127.0.0.1:{s3Port}",
            DynamoDbServiceUrl = $"http://127.0.0.1:{dynamoPort}",
            ForcePathStyle = true,
            EmulatorCompatibility = true,
            TableName = $"bench-{round}",
        };
        foreach (var zone in LakeZone.All)
        {
            options.ZoneBuckets[zone.Name] = $"bench-{round}-{zone.Name}";
        }

        return options;
    }

    /// <summary>Runs the orders CSV into a new Iceberg table; returns the run's seconds, its commit's seconds and the data files' bytes.</summary>
    private static async Task<(double Seconds, double CommitSeconds, long Written)> RunIngestAsync(AwsIngestOptions options, string csv)
    {
        var backends = AwsIngest.CreateBackends(options);
        var definition = Dataset.Orders.Definition(partitioned: false);
        await backends.Registry.RegisterAsync(definition);
        using var events = new EventClock();
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(definition.Id).UseLoggerFactory(events).Build();
        var watch = Stopwatch.StartNew();
        var result = await pipeline.RunAsync([IngestInput.FromFile(csv)]);
        var seconds = watch.Elapsed.TotalSeconds;
        if (result.Run.Status != Ledger.RunStatus.Succeeded || result.Run.RowsRejected != 0)
        {
            throw new InvalidOperationException($"The run ended {result.Run.Status} with {result.Run.RowsRejected} rejected: {result.Run.Error}");
        }

        // Event 1100: "committing N file(s)" (the manifest is written next); 1001: "succeeded" (after the ledger).
        var commit = (events.At(1001) - events.At(1100)).TotalSeconds;
        return (seconds, commit, result.Run.Counters.GetValueOrDefault(Diagnostics.IngestRunCounters.BytesWritten));
    }

    private static async Task<IReadOnlyList<string>> DownloadFiguresAsync(AwsIngestOptions options, string folder)
    {
        var backends = AwsIngest.CreateBackends(options);
        var registered = await backends.Registry.GetAsync(Dataset.Orders.Definition(false).Id) ?? throw new InvalidOperationException("not registered");
        var snapshot = await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!);
        var prefix = DatasetLayout.DatasetPrefix(registered.Dataset);
        var tableRoot = backends.Lake.GetAddress(LakeZone.Curated, prefix).TrimEnd('/') + "/";
        Directory.CreateDirectory(folder);
        var index = 0;
        foreach (var address in snapshot.Files)
        {
            var source = await backends.Lake.OpenReadAsync(LakeZone.Curated, prefix + address[tableRoot.Length..]);
            await using (source)
            await using (var target = File.Create(Path.Combine(folder, $"{index++}.parquet")))
            {
                await source.CopyToAsync(target);
            }
        }

        return await Verifier.ReadFiguresAsync(Dataset.Orders, Path.Combine(folder, "*.parquet"));
    }

    private static async Task<IReadOnlyList<string>> ReferenceFiguresAsync(string csv, string work)
    {
        Directory.CreateDirectory(work);
        var output = await new DuckDbVariant(partitioned: false).RunAsync(Dataset.Orders, csv, work, ExpectedRows(csv));
        return await Verifier.ReadFiguresAsync(Dataset.Orders, output.ParquetGlob);
    }

    private static long ExpectedRows(string csv) => File.ReadLines(csv).LongCount() - 1;

    /// <summary>Uploads the CSV and the run's downloaded data files to a bucket of their own with the SDK's multipart upload.</summary>
    private static async Task<double> UploadAsync(AwsIngestOptions options, string csv, long written, string files)
    {
        using var client = new AmazonS3Client(options.Credentials, new AmazonS3Config { ServiceURL = options.S3ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var bucket = options.ZoneBuckets[LakeZone.Raw.Name] + "-upload";
        await client.PutBucketAsync(bucket);
        using var transfer = new TransferUtility(client, new TransferUtilityConfig { ConcurrentServiceRequests = 4 });
        var parquet = Directory.EnumerateFiles(files, "*.parquet").ToList();
        if (parquet.Sum(f => new FileInfo(f).Length) != written)
        {
            throw new InvalidOperationException("The downloaded data files are not the bytes the run wrote.");
        }

        var watch = Stopwatch.StartNew();
        foreach (var file in parquet.Prepend(csv))
        {
            await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = bucket, Key = Path.GetFileName(file), FilePath = file, PartSize = options.PartSizeBytes });
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process StartNode(string script, params string[] args)
    {
        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start node {script}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"No server answers on port {port}.");
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }
}
