"""The survey domain: principles, items, roster, waves, invitations and answering."""
