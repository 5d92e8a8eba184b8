#!/usr/bin/env node
import { main } from '../cli/main.js';

// Exit explicitly: a collector that ignored its abort signal may still hold a handle after close().
process.exit(await main(process.argv.slice(2)));
