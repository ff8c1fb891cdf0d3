import 'server-only';
import { type CellHandle, openCellDatabase, type PoolOptions } from './connect';
import { expandTemplate, withCredentials } from './url';

/** What the registry needs to know of a cell mapping. */
export interface CellRef {
  id: number;
  uuid: string;
  name: string | null;
  databaseConnection: string | null;
  transportUrl?: string | null;
  disabled?: boolean | null;
}

interface Entry {
  url: string;
  handle: CellHandle;
  lastUsed: number;
}

export interface RegistryOptions {
  /** Base URL for nova-style cell URL templates (CELLAR_DATABASE_URL). */
  baseUrl?: string | null;
  pool?: PoolOptions;
  /** A handle unused for this long is closed and forgotten. */
  forgetAfterMs?: number;
  /** Connect to every cell as this role instead of the one its mapping names (CELLAR_CELL_DATABASE_USER). */
  cellCredentials?: { user: string; password: string | null } | null;
}

/**
 * cell uuid → database handle. Opened lazily from the cell mapping, with a small
 * bounded pool; reopened when the mapping's (expanded) URL changes, which nova only
 * notices after a restart; closed when unused for a while.
 */
export class CellRegistry {
  private entries = new Map<string, Entry>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: RegistryOptions = {}) {}

  /** The URL the cell's database is reached at, templates expanded. Throws DbUrlError. */
  resolveUrl(cell: CellRef): string {
    if (!cell.databaseConnection) {
      throw new Error(`Cell ${cell.name ?? cell.uuid} has no database_connection.`);
    }
    const url = expandTemplate(cell.databaseConnection, this.options.baseUrl);
    const own = this.options.cellCredentials;
    return own ? withCredentials(url, own.user, own.password) : url;
  }

  handleFor(cell: CellRef): CellHandle {
    const url = this.resolveUrl(cell);
    const existing = this.entries.get(cell.uuid);
    if (existing && existing.url === url) {
      existing.lastUsed = Date.now();
      return existing.handle;
    }
    if (existing) {
      this.entries.delete(cell.uuid);
      void existing.handle.close().catch(() => {});
    }
    const handle = openCellDatabase(url, { applicationName: `cellar:${cell.name ?? cell.uuid}`, ...this.options.pool });
    this.entries.set(cell.uuid, { url, handle, lastUsed: Date.now() });
    this.ensureSweeper();
    return handle;
  }

  /** Drop a cell's pool, e.g. after a connection-level failure, so the next call reconnects. */
  async forget(uuid: string): Promise<void> {
    const e = this.entries.get(uuid);
    if (!e) return;
    this.entries.delete(uuid);
    await e.handle.close().catch(() => {});
  }

  get openCount(): number {
    return this.entries.size;
  }

  private ensureSweeper() {
    if (this.sweeper) return;
    const forgetAfter = this.options.forgetAfterMs ?? 10 * 60_000;
    this.sweeper = setInterval(
      () => {
        const now = Date.now();
        for (const [uuid, e] of this.entries) if (now - e.lastUsed > forgetAfter) void this.forget(uuid);
        if (this.entries.size === 0 && this.sweeper) {
          clearInterval(this.sweeper);
          this.sweeper = undefined;
        }
      },
      Math.min(forgetAfter, 60_000),
    );
    this.sweeper.unref();
  }

  async closeAll(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.handle.close().catch(() => {})));
  }
}
