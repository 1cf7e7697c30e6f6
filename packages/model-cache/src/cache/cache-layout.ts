import path from 'node:path';
import { refFileName, repoFolderName } from '../repo-id.js';

/**
 * Where things live under the cache directory:
 *
 * ```
 * <cacheDir>/
 *   owner--name/
 *     snapshots/<commit>/…files, .tabagent-manifest.json   installed, complete, verified
 *     refs/<revision>                                       text: the commit it points to
 *     .incomplete/<commit>/…                                downloads in progress (resumable)
 *   .locks/owner--name.lock                                 one downloader per repo
 *   .trash/                                                 removals in progress
 * ```
 */
export class CacheLayout {
  constructor(readonly root: string) {}

  repoDir(repoId: string): string {
    return path.join(this.root, repoFolderName(repoId));
  }
  snapshotsDir(repoId: string): string {
    return path.join(this.repoDir(repoId), 'snapshots');
  }
  snapshotDir(repoId: string, commit: string): string {
    return path.join(this.snapshotsDir(repoId), commit);
  }
  refsDir(repoId: string): string {
    return path.join(this.repoDir(repoId), 'refs');
  }
  refPath(repoId: string, revision: string): string {
    return path.join(this.refsDir(repoId), refFileName(revision));
  }
  incompleteDir(repoId: string): string {
    return path.join(this.repoDir(repoId), '.incomplete');
  }
  stagingDir(repoId: string, commit: string): string {
    return path.join(this.incompleteDir(repoId), commit);
  }
  lockPath(repoId: string): string {
    return path.join(this.root, '.locks', `${repoFolderName(repoId)}.lock`);
  }
  trashDir(): string {
    return path.join(this.root, '.trash');
  }
}
