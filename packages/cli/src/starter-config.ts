/**
 * The commented starter config `mlx-gateway init` writes. It is valid as written: with
 * mlx-openai-server found on PATH, one local model is set up; without it, every model is a
 * comment to fill in.
 */
export function starterConfig(options: { mlxServer?: string; port: number }): string {
  const local = options.mlxServer
    ? `  # A local MLX model, started on the first request and stopped after idleTimeout.
  # mlx-openai-server was found at ${options.mlxServer}.
  qwen-7b:
    modelPath: mlx-community/Qwen2.5-7B-Instruct-4bit # Hugging Face id or local path
    aliases: [qwen]
    idleTimeout: 10m # durations need a unit: 30s, 10m, 1h
`
    : `  # A local MLX model. mlx-openai-server was not found on PATH: install it
  # (\`pip install mlx-openai-server\`), or set \`command:\` to its full path, then uncomment:
  # qwen-7b:
  #   modelPath: mlx-community/Qwen2.5-7B-Instruct-4bit
  #   command: [/path/to/mlx-openai-server]
  #   aliases: [qwen]
  #   idleTimeout: 10m # durations need a unit: 30s, 10m, 1h
`;
  return `# mlx-gateway configuration, written by \`mlx-gateway init\`.
# Check it with \`mlx-gateway config check\`, start the gateway with \`mlx-gateway up\`.
# Every key and its default: docs/configuration.md; a longer example: config.example.yaml.

# Where the proxy listens. A host other than loopback needs client keys
# (\`mlx-gateway keys create-client NAME\`).
listen: 127.0.0.1:${options.port}

models:
${local}
  # A cloud model. Keys never go in this file: store one with
  # \`mlx-gateway keys set OPENAI_API_KEY\` and refer to it as \${secret:OPENAI_API_KEY},
  # or read an environment variable with \${env:OPENAI_API_KEY}.
  # gpt-4o:
  #   backend: openai
  #   apiKey: \${secret:OPENAI_API_KEY}
`;
}
