"""Claude on Amazon Bedrock through the `anthropic` SDK's `AnthropicBedrock` client.

Requests are signed with SigV4 from the standard AWS credential chain
(environment, shared config and profile, container or Lambda role), and the
model is called by its catalog `bedrock_id`. Bedrock bills by its own price
list; costs are still computed from the catalog's Anthropic prices.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import SecretStr

from providers.anthropic_api import AnthropicProvider
from router.catalog import ModelEntry
from router.exceptions import ConfigurationError


class BedrockProvider(AnthropicProvider):
    """Claude models on Bedrock in one AWS region.

    `region` defaults to AWS_REGION, then AWS_DEFAULT_REGION, then the region
    of the AWS profile. Credentials are never passed in: boto3 finds them.
    """

    name = "bedrock"

    def __init__(self, *, region: str | None = None, http_client: Any = None, base_url: str | None = None) -> None:
        super().__init__(http_client=http_client, base_url=base_url, key_cache_s=0)
        self._key_from_sources = False
        self._region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(region={self._region!r}, base_url={self._base_url!r})"

    def _load_key(self, api_key: SecretStr | str | None) -> SecretStr | None:
        # No Anthropic API key on Bedrock: SigV4 signs each request with IAM credentials.
        return None

    def model_id(self, entry: ModelEntry) -> str:
        if not entry.bedrock_id:
            raise ConfigurationError(
                f"model {entry.anthropic_id} has no bedrock_id in the model catalog: add the Bedrock model id "
                "(or inference profile id) to the catalog, or unset LLM_ROUTER_PROVIDER=bedrock"
            )
        return entry.bedrock_id

    def _build_client(self) -> Any:
        from anthropic import AnthropicBedrock

        try:
            return AnthropicBedrock(
                aws_region=self._region,
                base_url=self._base_url,
                http_client=self._http_client,
                max_retries=0,
            )
        except ValueError as exc:
            # The SDK raises ValueError when it finds no region anywhere.
            raise ConfigurationError(
                f"Bedrock client cannot be built: {exc} Set AWS_REGION to the region where model access is enabled."
            ) from exc
