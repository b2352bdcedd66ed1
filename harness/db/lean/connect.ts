// The load driver's client connections: lean by default, labelled and placed in the strategy's
// schema exactly as harness/db/connect.ts does for pg, with pg kept for what the lean connection
// cannot serve (SSL) and for anyone who asks for it.
import type { PgQueryClient } from '../../strategies/types.ts';
import { connectPg, type ConnectOptions } from '../connect.ts';
import { searchPathOption } from '../schemas.ts';
import { LeanConnection } from './connection.ts';
import { leanParams, leanUnsupported, type LeanConfig } from './params.ts';

export type DriverPath = 'lean' | 'pg';

function leanConfig(url: string, o: ConnectOptions): LeanConfig {
  return { connectionString: url, application_name: o.applicationName, options: o.schema ? searchPathOption(o.schema) : undefined };
}

export async function connectLean(url: string, o: ConnectOptions): Promise<LeanConnection> {
  return LeanConnection.connect(leanParams(leanConfig(url, o)));
}

/** The path a load connection to this URL takes when `wanted` is asked for. */
export function driverPathFor(url: string, wanted: DriverPath = 'lean'): DriverPath {
  return wanted === 'lean' && !leanUnsupported(leanConfig(url, { applicationName: '' })) ? 'lean' : 'pg';
}

/** A client connection for load: the lean one, or pg where asked for or where lean cannot go. */
export async function connectLoad(url: string, o: ConnectOptions, wanted: DriverPath = 'lean'): Promise<PgQueryClient> {
  return driverPathFor(url, wanted) === 'lean' ? connectLean(url, o) : connectPg(url, o);
}
