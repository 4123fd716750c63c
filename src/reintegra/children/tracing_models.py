"""Family tracing and reunification: tracing requests and actions, family members found, the
reunification suitability assessment and the post-reunification follow-up visits."""
