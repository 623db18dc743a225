"""The GraphQL toolkit every app's schema module uses: mutation base with typed errors,
scalars, selection planning, query limits and the endpoint view. It knows no domain app."""
