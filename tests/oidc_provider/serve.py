"""Start the test provider: ``python -m tests.oidc_provider.serve CONFIG.json``.

Binds a free port on 127.0.0.1, migrates a fresh SQLite database in the configuration's ``data_dir``, creates
the users and clients, prints ``READY <port>`` on one line and serves until terminated.
"""

import json
import os
import sys
from pathlib import Path


def main(config_path: str) -> None:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=False)
    port = server.server_address[1]
    os.environ["OIDC_PROVIDER_CONFIG"] = config_path
    os.environ["OIDC_PROVIDER_PORT"] = str(port)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    config = json.loads(Path(config_path).read_text())
    for person in config["users"]:
        User.objects.create_user(
            person["username"],
            email=person.get("email", ""),
            password=person["password"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
    application_model = get_application_model()
    for client in config["clients"]:
        # A client with a key gets a random secret it never learns: it must sign client assertions.
        secret = {"client_secret": client["client_secret"]} if client.get("client_secret") else {}
        application_model.objects.create(
            **secret,
            name=client["client_id"],
            client_id=client["client_id"],
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            post_logout_redirect_uris=" ".join(client.get("post_logout_redirect_uris", [])),
            algorithm=application_model.RS256_ALGORITHM,
            skip_authorization=True,
        )

    server.set_app(get_wsgi_application())
    print(f"READY {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
