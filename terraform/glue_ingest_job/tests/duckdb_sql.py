"""DuckDB, the most faithful SQL executor here for the Spark SQL the job generates (no Spark, no pyspark, and Python's
duckdb module is not installed): the native library the C# tests use (NuGet DuckDB.NET.Bindings.Full, restored by
`dotnet build`), called through its C API with ctypes. Fails, not skips, when the library is missing.

Spark SQL quotes identifiers with backticks, DuckDB with double quotes: ``spark_to_duckdb`` swaps them (the job's
identifiers are [a-z0-9_] names, so nothing else changes). Values come back as text (NULL as None)."""

import ctypes
import glob
import os
import platform
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def _library():
    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "x64"
    packages = os.environ.get("NUGET_PACKAGES") or os.path.join(os.path.expanduser("~"), ".nuget", "packages")
    with open(os.path.join(ROOT, "Directory.Packages.props"), encoding="utf-8") as f:
        version = re.search(r'Include="DuckDB\.NET\.Data\.Full"\s+Version="([^"]+)"', f.read()).group(1)
    found = glob.glob(os.path.join(packages, "duckdb.net.bindings.full", version, "runtimes", f"linux-{arch}", "native", "libduckdb.so"))
    if not found:
        raise RuntimeError(f"libduckdb.so of DuckDB.NET.Bindings.Full {version} is not in {packages}: run `dotnet build Ingest.sln` first (it restores the package)")
    return found[0]


class _Result(ctypes.Structure):
    # duckdb_result: the deprecated column count, row count, rows changed, columns, error message, then internal data.
    _fields_ = [("column_count", ctypes.c_uint64), ("row_count", ctypes.c_uint64), ("rows_changed", ctypes.c_uint64),
                ("columns", ctypes.c_void_p), ("error", ctypes.c_char_p), ("internal", ctypes.c_void_p)]


class DuckDB:
    """One in-memory database and connection."""

    def __init__(self):
        lib = ctypes.CDLL(_library())
        lib.duckdb_result_error.restype = ctypes.c_char_p
        lib.duckdb_value_varchar.restype = ctypes.c_void_p
        lib.duckdb_row_count.restype = ctypes.c_uint64
        lib.duckdb_column_count.restype = ctypes.c_uint64
        lib.duckdb_value_is_null.restype = ctypes.c_bool
        self._lib = lib
        self._db, self._con = ctypes.c_void_p(), ctypes.c_void_p()
        if lib.duckdb_open(None, ctypes.byref(self._db)) != 0 or lib.duckdb_connect(self._db, ctypes.byref(self._con)) != 0:
            raise RuntimeError("DuckDB did not open an in-memory database")

    def query(self, sql):
        """Runs one statement; returns its rows as lists of text (None for NULL); raises with DuckDB's message."""
        lib, result = self._lib, _Result()
        try:
            if lib.duckdb_query(self._con, sql.encode("utf-8"), ctypes.byref(result)) != 0:
                raise RuntimeError(f"DuckDB: {lib.duckdb_result_error(ctypes.byref(result)).decode('utf-8')}\n{sql}")
            rows = []
            for r in range(lib.duckdb_row_count(ctypes.byref(result))):
                row = []
                for c in range(lib.duckdb_column_count(ctypes.byref(result))):
                    if lib.duckdb_value_is_null(ctypes.byref(result), ctypes.c_uint64(c), ctypes.c_uint64(r)):
                        row.append(None)
                        continue
                    text = lib.duckdb_value_varchar(ctypes.byref(result), ctypes.c_uint64(c), ctypes.c_uint64(r))
                    row.append(ctypes.string_at(text).decode("utf-8"))
                    lib.duckdb_free(ctypes.c_void_p(text))
                rows.append(row)
            return rows
        finally:
            lib.duckdb_destroy_result(ctypes.byref(result))

    def close(self):
        self._lib.duckdb_disconnect(ctypes.byref(self._con))
        self._lib.duckdb_close(ctypes.byref(self._db))


def spark_to_duckdb(sql):
    return sql.replace("`", '"')
