/*
 * libmailadm: the rules of a Postfix/Courier/Dovecot account store.
 * The library never prints and never exits: every function returns a
 * status and fills a struct ma_err.
 */
#ifndef MAILADM_H
#define MAILADM_H

#define MAILADM_VERSION "0.1.0"

#include "err.h"
#include "buf.h"
#include "conf.h"
#include "size.h"
#include "valid.h"
#include "db.h"
#include "txn.h"
#include "log.h"
#include "schema.h"
#include "domain.h"
#include "alias.h"
#include "mailbox.h"
#include "maildir.h"
#include "quota.h"
#include "policy.h"
#include "passwd.h"
#include "srvconf.h"
#include "csv.h"
#include "import.h"
#include "spool.h"
#include "json.h"
#include "mapfile.h"
#include "staging.h"
#include "migrate.h"

#endif
