"""Getting in without an admin typing a password: invitations and password resets."""
