import type { CommandSpec } from '../spec.js';
import { atRestCommands } from './at-rest.js';
import { beaconCommands } from './beacons.js';
import { benchCommands } from './bench.js';
import { configCommands } from './config.js';
import { dataCommands } from './data.js';
import { demoCommands } from './demo.js';
import { inspectCommands } from './inspect.js';
import { keysCommands } from './keys.js';
import { localCommands } from './local.js';
import { metastoreCommands } from './metastore.js';
import { reencryptCommands } from './reencrypt.js';
import { tableCommands } from './table.js';
import { vectorsCommands } from './vectors.js';

/** Every command but `help`, in the order of the reference. */
export const COMMANDS: readonly CommandSpec[] = [
  ...demoCommands,
  ...localCommands,
  ...keysCommands,
  ...tableCommands,
  ...configCommands,
  ...dataCommands,
  ...beaconCommands,
  ...inspectCommands,
  ...metastoreCommands,
  ...reencryptCommands,
  ...vectorsCommands,
  ...benchCommands,
  ...atRestCommands,
];
