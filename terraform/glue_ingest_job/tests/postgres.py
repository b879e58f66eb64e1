"""A PostgreSQL cluster of the tests' own, as tests/Ingest.Database.Tests/Infrastructure/PostgresServer.cs starts it: initdb into a
temporary folder, postgres on a free loopback port with password (SCRAM) authentication, run as the postgres OS user when the
tests run as root. Binaries from INGEST_PG_BIN or the newest /usr/lib/postgresql/<version>/bin (scripts/postgres.sh install);
the client is Debian's python3-psycopg2 (.ci/run installs it). It fails, not skips, when the server cannot start."""

import glob
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import uuid

from tests.servers import _free_port

USER = "ingest"


def _binaries():
    configured = os.environ.get("INGEST_PG_BIN")
    if configured:
        return configured
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(d, "initdb"))]
    if not found:
        raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql and INGEST_PG_BIN is not set: run scripts/postgres.sh install")
    return max(found, key=lambda d: int(os.path.basename(os.path.dirname(d))) if os.path.basename(os.path.dirname(d)).isdigit() else 0)


class Postgres:
    """Starts the cluster; ``database()`` creates a database of its own for one test; ``stop()`` ends the server it started."""

    def __init__(self):
        import psycopg2  # Debian's python3-psycopg2; a missing client fails the suite with this import
        self._psycopg2 = psycopg2
        bin_dir = _binaries()
        as_root = os.geteuid() == 0
        self.password = "pw-" + secrets.token_hex(6)
        self.folder = tempfile.mkdtemp(prefix="ingest-glue-pg-")
        data = os.path.join(self.folder, "data")
        password_file = os.path.join(self.folder, "pw")
        with open(password_file, "w", encoding="utf-8") as f:
            f.write(self.password + "\n")
        prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:
            subprocess.run(["chown", "-R", "postgres:postgres", self.folder], check=True)
        subprocess.run(prefix + [os.path.join(bin_dir, "initdb"), "-D", data, "-U", USER, "--pwfile", password_file,
                                 "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.port = _free_port()
        self.process = subprocess.Popen(
            prefix + [os.path.join(bin_dir, "postgres"), "-D", data, "-p", str(self.port), "-k", self.folder, "-c", "listen_addresses=127.0.0.1",
                      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self._wait()

    def _wait(self):
        last = None
        for _ in range(600):  # a bound on start-up, not an assertion about speed
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}: {self.process.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                self.connect("postgres").close()
                return
            except self._psycopg2.OperationalError as error:
                last = error
                try:
                    self.process.wait(0.1)
                except subprocess.TimeoutExpired:
                    pass
        self.stop()
        raise RuntimeError(f"postgres did not accept connections: {last}")

    def connect(self, database):
        return self._psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, password=self.password, dbname=database)

    def database(self, setup_sql=None):
        """A new database (and its connection, autocommit) for one test, with setup_sql run in it."""
        name = "t_" + uuid.uuid4().hex[:12]
        admin = self.connect("postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        admin.close()
        connection = self.connect(name)
        connection.autocommit = True
        if setup_sql:
            with connection.cursor() as cursor:
                cursor.execute(setup_sql)
        return connection

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: runuser, postgres and its children, nothing else
            self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.folder, ignore_errors=True)
