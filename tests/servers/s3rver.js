#!/usr/bin/env node
// Starts s3rver for the tests: node s3rver.js --directory DIR [--address 127.0.0.1] [--port 0] [--bucket NAME]...
// Prints "S3rver listening on ADDRESS:PORT" once it accepts connections (port 0: the system picks one),
// and stops on SIGTERM or SIGINT. @20minutes/s3rver (a maintained fork of s3rver 3, which does not check
// SigV4 signatures) ships no command line, hence this file.
'use strict';

const { parseArgs } = require('node:util');
const S3rver = require('@20minutes/s3rver');

const { values } = parseArgs({
  options: {
    directory: { type: 'string' },
    address: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    bucket: { type: 'string', multiple: true, default: [] },
  },
});
if (!values.directory) {
  console.error('usage: node s3rver.js --directory DIR [--address 127.0.0.1] [--port 0] [--bucket NAME]...');
  process.exit(2);
}

const server = new S3rver({
  directory: values.directory,
  address: values.address,
  port: Number(values.port),
  silent: true,
  vhostBuckets: false,
  configureBuckets: values.bucket.map((name) => ({ name })),
});

server.run().then(
  ({ address, port }) => console.log(`S3rver listening on ${address}:${port}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close().then(() => process.exit(0)));
}
