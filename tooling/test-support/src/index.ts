/** Shared helpers for Tessera's test suites and benchmarks. Never imported by published code. */
export { requireBinary } from './binaries.js';
export { startConnectionCounter, type ConnectionCounter } from './connection-counter.js';
export { getFreePort, startPeer, type RunningPeer, type StartPeerOptions } from './peer.js';
export {
  promtoolCheckMetrics,
  queryPrometheus,
  startNodeExporter,
  startPrometheus,
  startPushgateway,
  type PromSample,
  type PromtoolResult,
  type RunningPrometheus,
} from './peers.js';
export { checkGeneratedSection, type GeneratedSectionResult } from './generated-section.js';
export { repositoryCollectorPackages } from './repository.js';
export { runCommand, type CommandOutcome } from './run-command.js';
export { createTestCertificateAuthority, type IssuedCertificate, type IssueOptions, type TestCertificateAuthority } from './pki.js';
export { htpasswdBcrypt } from './htpasswd.js';
export { startTessera, TESSERA_BIN } from './tessera.js';
