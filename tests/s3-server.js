#!/usr/bin/env node
// s3rver 3.7.1 on loopback, with listings in key order and the two multipart operations it lacks.
//
// Listing: s3rver lists objects in the order of its folder tree ('p/a/z' before 'p/a-1'), and its pagination
// ('start-after', continuation tokens) assumes key order, so pages can skip keys. S3 lists in UTF-8 binary key
// order; the store's listObjects is replaced by one that sorts the keys first (same options, same result shape).
//
// Parts: a part of an unknown upload is refused (NoSuchUpload) and an abort waits for the parts in flight; s3rver
// itself writes such a part into a new folder and crashes when the folder goes away under it.
//
// Copy: s3rver reads x-amz-copy-source with decodeURI, which leaves '%2F' encoded; the AWS SDK encodes the '/'
// of the key that way, as S3 accepts. The copy handler gets the header fully decoded and re-encoded with encodeURI
// (after s3rver's signature check, which saw the original).
//
// Multipart: ListMultipartUploads
// (GET /bucket?uploads answers NotImplemented) and AbortMultipartUpload (DELETE /bucket/key?uploadId
// answers MethodNotAllowed). Both work on s3rver's own store (<dir>/<bucket>/._S3rver_uploads/<uploadId>/
// with the files 'key', 'metadata' and one per part), answer in the XML of the S3 API reference, and are
// mounted in front of s3rver's router; every other request is s3rver's. Requests to these two are not
// signature-checked (a test server on loopback).
//
// usage: node s3-server.js --directory DIR --port PORT [--address 127.0.0.1]
'use strict';

const fs = require('fs');
const path = require('path');
const S3rver = require('s3rver');
const S3Object = require('s3rver/lib/models/object');
const S3Error = require('s3rver/lib/models/error');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const directory = arg('--directory');
const port = Number(arg('--port', '4568'));
const address = arg('--address', '127.0.0.1');
if (!directory) {
  console.error('usage: node s3-server.js --directory DIR --port PORT [--address 127.0.0.1]');
  process.exit(2);
}
fs.mkdirSync(directory, { recursive: true });

const escapeXml = s =>
  String(s).replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);

function uploadsDir(bucket) {
  return path.join(directory, bucket, '._S3rver_uploads');
}

function readUploads(bucket) {
  const dir = uploadsDir(bucket);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map(id => {
      const keyFile = path.join(dir, id, 'key');
      if (!fs.existsSync(keyFile)) return null;
      return { id, key: fs.readFileSync(keyFile, 'utf8'), initiated: fs.statSync(path.join(dir, id)).birthtime };
    })
    .filter(u => u !== null)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function sendXml(ctx, status, body) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n' + body;
}

function noSuchBucket(ctx, bucket) {
  sendXml(ctx, 404, `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>${escapeXml(bucket)}</BucketName></Error>`);
}

async function multipartExtensions(ctx, next) {
  const segments = ctx.path.split('/').filter((s, i) => i > 0);
  const bucket = segments[0] ? decodeURIComponent(segments[0]) : '';
  const key = segments.length > 1 ? decodeURIComponent(ctx.path.slice(segments[0].length + 2)) : '';

  if (ctx.method === 'GET' && bucket && !key && 'uploads' in ctx.query) {
    if (!fs.existsSync(path.join(directory, bucket))) return noSuchBucket(ctx, bucket);
    const prefix = ctx.query.prefix || '';
    const keyMarker = ctx.query['key-marker'] || '';
    const idMarker = ctx.query['upload-id-marker'] || '';
    const max = Math.min(Number(ctx.query['max-uploads'] || 1000), 1000);
    const all = readUploads(bucket)
      .filter(u => u.key.startsWith(prefix))
      .filter(u => !keyMarker || u.key > keyMarker || (u.key === keyMarker && idMarker && u.id > idMarker));
    const page = all.slice(0, max);
    const truncated = all.length > page.length;
    const last = page[page.length - 1];
    const uploads = page
      .map(u => `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`)
      .join('');
    return sendXml(
      ctx,
      200,
      '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Bucket>${escapeXml(bucket)}</Bucket><KeyMarker>${escapeXml(keyMarker)}</KeyMarker><UploadIdMarker>${escapeXml(idMarker)}</UploadIdMarker>` +
        `<NextKeyMarker>${truncated ? escapeXml(last.key) : ''}</NextKeyMarker><NextUploadIdMarker>${truncated ? last.id : ''}</NextUploadIdMarker>` +
        `<Prefix>${escapeXml(prefix)}</Prefix><MaxUploads>${max}</MaxUploads><IsTruncated>${truncated}</IsTruncated>${uploads}` +
        '</ListMultipartUploadsResult>',
    );
  }

  if (ctx.method === 'DELETE' && bucket && key && 'uploadId' in ctx.query) {
    if (!fs.existsSync(path.join(directory, bucket))) return noSuchBucket(ctx, bucket);
    const id = String(ctx.query.uploadId);
    const dir = path.join(uploadsDir(bucket), id);
    const keyFile = path.join(dir, 'key');
    if (!/^[0-9a-f]+$/.test(id) || !fs.existsSync(keyFile) || fs.readFileSync(keyFile, 'utf8') !== key) {
      return sendXml(ctx, 404, `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.</Message><UploadId>${escapeXml(id)}</UploadId></Error>`);
    }
    // As S3 does, a part still arriving is not left half-written: wait for it, then remove everything.
    await Promise.allSettled([...(partsInFlight.get(id) || [])]);
    fs.rmSync(dir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }

  return next();
}

const OBJECT_SUFFIX = '._S3rver_object';

function* objectKeys(bucketPath, dir, prefix) {
  for (const name of fs.readdirSync(dir)) {
    const full = path.posix.join(dir, name);
    const relative = full.slice(bucketPath.length + 1);
    if (fs.statSync(full).isDirectory()) {
      // Only folders that can hold keys with the prefix; never the uploads folder.
      if (name !== '._S3rver_uploads' && (relative.startsWith(prefix) || prefix.startsWith(relative + '/'))) {
        yield* objectKeys(bucketPath, full, prefix);
      }
    } else if (name.endsWith(OBJECT_SUFFIX)) {
      yield relative.slice(0, -OBJECT_SUFFIX.length);
    }
  }
}

const byteOrder = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

async function listObjectsInKeyOrder(bucket, options) {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
  const bucketPath = this.getBucketPath(bucket);
  const keys = [...objectKeys(bucketPath, bucketPath, prefix)]
    .filter(key => key.startsWith(prefix) && byteOrder(key, startAfter) > 0)
    .sort(byteOrder);
  const commonPrefixes = new Set();
  const page = [];
  let isTruncated = false;
  for (const key of keys) {
    if (delimiter) {
      const idx = key.slice(prefix.length).indexOf(delimiter);
      if (idx !== -1) {
        commonPrefixes.add(key.slice(0, prefix.length + idx + 1));
        continue;
      }
    }
    if (page.length < maxKeys) {
      page.push(key);
    } else {
      isTruncated = true;
      break;
    }
  }
  const metadata = await Promise.all(
    page.map(key => this.getMetadata(bucket, key).catch(err => (err.code === 'ENOENT' ? undefined : Promise.reject(err)))),
  );
  return {
    objects: page.map((key, i) => [key, metadata[i]]).filter(([, m]) => m !== undefined).map(([key, m]) => new S3Object(bucket, key, null, m)),
    commonPrefixes: [...commonPrefixes].sort(byteOrder),
    isTruncated,
  };
}

const server = new S3rver({ directory, port, address, silent: true, vhostBuckets: false });
server.store.listObjects = listObjectsInKeyOrder;

// Parts: s3rver writes a part without checking that its upload exists (and crashes on a write error), so a part
// that races an abort could bring the server down. A part of an unknown upload is refused with NoSuchUpload, as
// S3 does, and aborts wait for the parts in flight.
const partsInFlight = new Map();
const putPart = server.store.putPart;
server.store.putPart = function (bucket, uploadId, partNumber, content) {
  if (!fs.existsSync(path.join(uploadsDir(bucket), String(uploadId), 'key'))) {
    return Promise.reject(new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId }));
  }
  const work = putPart.call(this, bucket, uploadId, partNumber, content);
  const set = partsInFlight.get(uploadId) || new Set();
  set.add(work);
  partsInFlight.set(uploadId, set);
  const done = () => {
    set.delete(work);
    if (set.size === 0) partsInFlight.delete(uploadId);
  };
  work.then(done, done);
  return work;
};
const objectController = require('s3rver/lib/controllers/object');
const putObjectCopy = objectController.putObjectCopy;
objectController.putObjectCopy = function (ctx) {
  const source = ctx.headers['x-amz-copy-source'];
  if (source) ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source));
  return putObjectCopy.call(this, ctx);
};
// s3rver's router is the last middleware: run the extensions just before it.
const router = server.middleware.pop();
server.use(multipartExtensions);
server.use(router);
server.run().then(
  info => console.log(`s3-server listening on ${info.address}:${info.port}`),
  err => {
    console.error(`s3-server failed to start: ${err.message}`);
    process.exit(1);
  },
);
