"""The directory: staff users and teams, customer accounts with their sites and contacts.

Tables only, and the few queries on them that need no viewer. They sit below
`models.viewer` (a viewer is a staff user or a portal contact) and below every
domain's rules, which all refer to them; the rules of these two domains live in
`models.users` and `models.accounts`, which re-export these tables.
"""
