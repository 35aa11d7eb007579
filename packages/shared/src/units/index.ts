export { parseDuration, formatDuration } from './duration.js';
export { parseBytes, formatBytes } from './bytes.js';
