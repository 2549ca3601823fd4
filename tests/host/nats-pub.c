// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nats-pub URL USER PASSWORD SUBJECT DATA: publish DATA to JetStream as
 * USER and wait for the stream's acknowledgement. Exit 0 when stored, 1
 * when not (a permissions violation ends in no acknowledgement), 2 on
 * usage. The fleet test uses it to try forging another node's decision.
 */
#include <stdio.h>
#include <string.h>

#include <nats/nats.h>

int main(int argc, char **argv)
{
	natsOptions *opts = NULL;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	jsPubAck *pa = NULL;
	jsPubOptions po;
	jsErrCode jerr = 0;
	natsStatus s;

	if (argc != 6) {
		fprintf(stderr, "usage: nats-pub URL USER PASSWORD SUBJECT DATA\n");
		return 2;
	}
	s = natsOptions_Create(&opts);
	if (s == NATS_OK)
		s = natsOptions_SetURL(opts, argv[1]);
	if (s == NATS_OK)
		s = natsOptions_SetUserInfo(opts, argv[2], argv[3]);
	if (s == NATS_OK)
		s = natsConnection_Connect(&nc, opts);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s == NATS_OK) {
		jsPubOptions_Init(&po);
		po.MaxWait = 2000;
		s = js_Publish(&pa, js, argv[4], argv[5], (int)strlen(argv[5]), &po, &jerr);
	}
	if (s != NATS_OK)
		fprintf(stderr, "nats-pub: %s on %s: %s (%s)\n", argv[2], argv[4],
			natsStatus_GetText(s), nats_GetLastError(NULL));
	jsPubAck_Destroy(pa);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(opts);
	nats_Close();
	return s == NATS_OK ? 0 : 1;
}
