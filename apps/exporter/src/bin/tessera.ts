#!/usr/bin/env node
import { useSmallExporterHeap } from '../runtime/heap-settings.js';

// Sized for memory, as an exporter of small scrapes should be; the exporter gives this up at its
// first large scrape (see heap-settings.ts).
useSmallExporterHeap();

const { main } = await import('../cli/main.js');

// Exit explicitly: a collector that ignored its abort signal may still hold a handle after close().
process.exit(await main(process.argv.slice(2)));
