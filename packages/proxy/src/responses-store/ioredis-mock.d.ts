// ioredis-mock ships no types; the store reaches it through its RedisCommands interface.
declare module 'ioredis-mock' {
  const RedisMock: unknown;
  export default RedisMock;
}
