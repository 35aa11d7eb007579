export { parseDuration, formatDuration } from './duration.js';
export { parseBytes, formatBytes, formatMemory } from './bytes.js';
