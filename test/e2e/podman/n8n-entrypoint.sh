#!/bin/sh
# n8n's docker-entrypoint.sh: arguments are an n8n command (`webhook`, `worker`, `import:workflow …`).
if [ "$#" -gt 0 ]; then
	exec n8n "$@"
else
	exec n8n
fi
