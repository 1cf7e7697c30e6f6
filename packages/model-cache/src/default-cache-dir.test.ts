import { describe, expect, it } from 'vitest';
import { defaultModelsDir } from './default-cache-dir.js';

describe('defaultModelsDir', () => {
  it('follows each platform’s convention', () => {
    expect(defaultModelsDir({ platform: 'linux', homeDir: '/home/ada', env: {} })).toBe('/home/ada/.local/share/TabAgent/models');
    expect(defaultModelsDir({ platform: 'linux', homeDir: '/home/ada', env: { XDG_DATA_HOME: '/data' } })).toBe('/data/TabAgent/models');
    expect(defaultModelsDir({ platform: 'darwin', homeDir: '/Users/ada', env: {} })).toBe('/Users/ada/Library/Application Support/TabAgent/models');
    expect(defaultModelsDir({ platform: 'win32', homeDir: 'C:\\Users\\ada', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' } })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\TabAgent\\models',
    );
  });

  it('is overridden by TABAGENT_MODELS_DIR', () => {
    expect(defaultModelsDir({ platform: 'linux', homeDir: '/home/ada', env: { TABAGENT_MODELS_DIR: '/srv/models' } })).toBe('/srv/models');
  });
});
