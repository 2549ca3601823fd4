// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A minimal NATS JetStream client for the fleet tests, as USER:
 *
 *   nats-pub URL USER PASSWORD SUBJECT DATA [COUNT]
 *                                            publish DATA (COUNT times, 1 by
 *                                            default), each time waiting for
 *                                            the stream's acknowledgement
 *   nats-pub URL USER PASSWORD --last SUBJECT print the last message the
 *                                            stream SLAGUARD holds on SUBJECT
 *   nats-pub URL USER PASSWORD --delete-consumer NAME
 *                                            delete that consumer of stream
 *                                            SLAGUARD (what a server that lost
 *                                            its state does to it)
 *   nats-pub --creds FILE URL SUBJECT DATA [COUNT]  the same as the user of a
 *   nats-pub --creds FILE URL --last SUBJECT  NATS credentials file (JWT +
 *                                            seed)
 *
 * With $NATS_CA set the connection is TLS, the server verified against
 * that CA; $NATS_CERT and $NATS_KEY are the client's certificate and key.
 * Exit 0 on success, 1 when not stored / not found (a permissions
 * violation ends in no acknowledgement), 2 on usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

/* An empty variable is an unset one. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int main(int argc, char **argv)
{
	natsOptions *opts = NULL;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	jsPubAck *pa = NULL;
	natsMsg *msg = NULL;
	jsPubOptions po;
	jsErrCode jerr = 0;
	const char *creds = NULL;
	natsStatus s;
	bool last, del;
	long count = 1;

	/* --creds FILE URL ...: URL where the others have it, then as they are. */
	if (argc >= 6 && !strcmp(argv[1], "--creds")) {
		creds = argv[2];
		argv[1] = argv[3];
	}
	last = argc >= 5 && !strcmp(argv[4], "--last");
	del = argc >= 5 && !strcmp(argv[4], "--delete-consumer");
	if (argc == 7 && !last && !del)
		count = strtol(argv[6], NULL, 10);
	if (argc < 6 || argc > 7 || ((last || del) && argc != 6) || count < 1) {
		fprintf(stderr, "usage: nats-pub URL USER PASSWORD SUBJECT DATA [COUNT]\n"
			"       nats-pub URL USER PASSWORD --last SUBJECT\n"
			"       nats-pub URL USER PASSWORD --delete-consumer NAME\n"
			"       nats-pub --creds FILE URL SUBJECT DATA [COUNT]\n"
			"       nats-pub --creds FILE URL --last SUBJECT\n");
		return 2;
	}
	s = natsOptions_Create(&opts);
	if (s == NATS_OK)
		s = natsOptions_SetURL(opts, argv[1]);
	if (s == NATS_OK && creds)
		s = natsOptions_SetUserCredentialsFromFiles(opts, creds, NULL);
	else if (s == NATS_OK)
		s = natsOptions_SetUserInfo(opts, argv[2], argv[3]);
	if (s == NATS_OK && env("NATS_CA"))
		s = natsOptions_SetSecure(opts, true);
	if (s == NATS_OK && env("NATS_CA"))
		s = natsOptions_LoadCATrustedCertificates(opts, env("NATS_CA"));
	if (s == NATS_OK && env("NATS_CERT"))
		s = natsOptions_LoadCertificatesChain(opts, env("NATS_CERT"),
						      env("NATS_KEY"));
	if (s == NATS_OK)
		s = natsConnection_Connect(&nc, opts);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s == NATS_OK && del) {
		s = js_DeleteConsumer(js, "SLAGUARD", argv[5], NULL, &jerr);
	} else if (s == NATS_OK && last) {
		s = js_GetLastMsg(&msg, js, "SLAGUARD", argv[5], NULL, &jerr);
		if (s == NATS_OK)
			printf("%.*s\n", natsMsg_GetDataLength(msg), natsMsg_GetData(msg));
	} else if (s == NATS_OK) {
		jsPubOptions_Init(&po);
		po.MaxWait = 2000;
		for (long i = 0; s == NATS_OK && i < count; i++) {
			jsPubAck_Destroy(pa);
			pa = NULL;
			s = js_Publish(&pa, js, argv[4], argv[5], (int)strlen(argv[5]), &po, &jerr);
		}
	}
	if (s != NATS_OK)
		fprintf(stderr, "nats-pub: %s on %s: %s (%s)\n", creds ? creds : argv[2],
			argv[last || del ? 5 : 4],
			natsStatus_GetText(s), nats_GetLastError(NULL));
	natsMsg_Destroy(msg);
	jsPubAck_Destroy(pa);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(opts);
	nats_Close();
	return s == NATS_OK ? 0 : 1;
}
