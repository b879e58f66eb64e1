// Reads an Iceberg table with icebird (an independent JavaScript reader) from local files and prints what it read as
// JSON: the snapshot's row count, per-column sums of numeric columns, and the schema's field ids and names.
// Usage: node iceberg-read.mjs <table folder> <metadata file name> [column ...]
// A table on S3 copied to a local folder: ICEBERG_READ_S3_ROOT=<folder> holding <bucket>/<key>, and the table folder
// given as its s3:// location; icebird's https://<bucket>.s3.amazonaws.com/<key> requests are answered from there.
import { readFile } from 'node:fs/promises'
import path from 'node:path'

const [tableFolder, metadataFileName, ...sumColumns] = process.argv.slice(2)
const here = path.dirname(new URL(import.meta.url).pathname)
const modules = process.env.INGEST_NODE_MODULES ?? path.join(here, '..', 'node_modules')
const { icebergRead, icebergMetadata, icebergManifests } = await import(path.join(modules, 'icebird', 'src', 'index.js'))

// icebird fetches by URL: answer its requests (whole files and byte ranges) from the file system.
const s3Root = process.env.ICEBERG_READ_S3_ROOT
globalThis.fetch = async (url, init) => {
  const s3 = /^https:\/\/([^/]+)\.s3\.amazonaws\.com\/(.*)$/.exec(String(url))
  const file = s3Root && s3
    ? path.join(s3Root, s3[1], decodeURIComponent(s3[2]))
    : decodeURIComponent(String(url).replace(/^file:\/\//, ''))
  let bytes
  try {
    bytes = await readFile(file)
  } catch {
    return new Response(null, { status: 404, statusText: 'Not Found' })
  }
  const headers = new Headers(init?.headers)
  const range = headers.get('range') ?? headers.get('Range')
  if (init?.method === 'HEAD') {
    return new Response(null, { status: 200, headers: { 'content-length': String(bytes.length) } })
  }
  if (range) {
    const [, start, end] = /bytes=(\d+)-(\d*)/.exec(range)
    const slice = bytes.subarray(Number(start), end === '' ? bytes.length : Number(end) + 1)
    return new Response(slice, { status: 206, headers: { 'content-length': String(slice.length) } })
  }
  return new Response(bytes, { status: 200, headers: { 'content-length': String(bytes.length) } })
}

const metadata = await icebergMetadata({ tableUrl: tableFolder, metadataFileName })
const schema = metadata.schemas.find(s => s['schema-id'] === metadata['current-schema-id'])
const manifests = await icebergManifests(metadata)
const entries = manifests.flatMap(m => m.entries ?? [])
let rows = []
if (metadata['current-snapshot-id'] !== undefined && metadata['current-snapshot-id'] !== -1 && entries.some(e => e.status !== 2)) {
  rows = await icebergRead({ tableUrl: tableFolder, metadata })
}
const sums = {}
for (const column of sumColumns) {
  let sum = 0
  for (const row of rows) {
    const v = row[column]
    if (v !== null && v !== undefined) sum += Number(v)
  }
  sums[column] = sum
}
console.log(JSON.stringify({
  rows: rows.length,
  sums,
  fields: schema.fields.map(f => ({ id: f.id, name: f.name, type: f.type })),
  liveFiles: entries.filter(e => e.status !== 2).map(e => e.data_file.file_path),
  manifestList: metadata.snapshots?.find(s => s['snapshot-id'] === metadata['current-snapshot-id'])?.['manifest-list'] ?? null,
  manifests: manifests.map(m => m.url),
  metadataLog: (metadata['metadata-log'] ?? []).map(e => e['metadata-file']),
}))
