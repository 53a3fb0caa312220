"""The starter catalog every tenant gets: the four plays of DOMAIN.md §2 and, for each, a master
activation package with all seven components.

Plain data only (strings keyed by the values of `PlayKind` and `ComponentKey`), so that both
`plays.services.catalog_install` and the data migration that installs the catalog for existing
tenants read the same text. The tenant edits its copy afterwards; this module is never read again
for a tenant that has its catalog.
"""

from __future__ import annotations

MASTER_NAME = "Master"

# Architecture, qualification and handoff logic, and reporting are fixed; the rest flexes per
# vertical or partner. The same set as `plays.models.FIXED_BY_DEFAULT` (a test holds them equal);
# repeated here as plain strings because migrations must not depend on today's models.
FIXED_KEYS = frozenset({"qualification_logic", "tracking", "proof_of_performance"})

# The seven components in the order pages show them (the order of `ComponentKey`).
COMPONENT_ORDER = (
    "landing_page",
    "nurture_sequence",
    "qualification_logic",
    "sales_enablement",
    "tracking",
    "partner_playbook",
    "proof_of_performance",
)

# The machine-readable handoff criteria (plays.qualification parses them), matching the prose above
# them; a lead outside any program, or of a program launched before packages carried rules, is scored
# by these.
QUALIFICATION_RULES = (
    "score at least: 60\n"
    "actions at least: 30\n"
    "points: event_attended 20, meeting 40, email_reply 15, asset_downloaded 10,"
    " landing_page_visit 5 up to 10\n"
    "required actions: event_attended, meeting\n"
    "title: director, vp, vice president, head, chief, cio, cto, cfo, ceo, coo, ciso, president, owner\n"
    "account: plan"
)

# Shared by every play: the parts that keep programs comparable across partners.
_QUALIFICATION_COMMON = (
    "Handoff criteria (never hand over raw event scans):\n"
    "- Engagement threshold: score of 60 or more, of which at least 30 from actions, not page views.\n"
    "- Actions that count: attended the session (20), booked a meeting (40), replied to a nurture email "
    "(15), downloaded the briefing pack (10), visited the landing page (5 a visit, at most 10).\n"
    "- Required: attended the session or booked a meeting.\n"
    "- Fit: company is on the plan's named account list (required); title is director or above, or owns "
    "the budget line (required).\n"
    "Routing: a sales-ready lead goes to the account's sales owner and, if the partner has access to the "
    "account, is handed off to the partner with its context. Leads below the threshold stay in the "
    "vendor's nurture.\n"
    "SLA: accept within 24 h, first touch within 24 h, qualification call within 5 days; a breach nudges, "
    "then escalates to the partner manager, then recalls the lead.\n"
    "\n"
    "Rules:\n" + QUALIFICATION_RULES
)

_TRACKING_COMMON = (
    "One naming convention for every asset of the program, set at launch and never typed by hand:\n"
    "- Tracking code: <year>Q<quarter>-<play code>-<market>-<partner>-<plan id>, e.g. "
    "2026Q4-ACC-DACH-CONTOSO-42.\n"
    "- UTM: utm_source=<partner slug>, utm_medium=partner, utm_campaign=<tracking code in lower case>, "
    "utm_content=<play>.\n"
    "Every link in emails, the landing page and partner posts carries these parameters; the CRM campaign "
    "uses the tracking code as its name so pipeline can be attributed across partners."
)

_PROOF_COMMON = (
    "Proof-of-performance report for MDF, filed with the claim:\n"
    "- Day 30 (operational): assets delivered, event held, follow-up triggered for every target account "
    "that attended.\n"
    "- Day 60 (engagement): target accounts in the room, meetings booked from target accounts.\n"
    "- Day 90 (pipeline): opportunities progressed on accounts in the room, partner-sourced and "
    "partner-influenced pipeline, cost per meaningful account engagement.\n"
    "Evidence: invoice, attendee list matched to the named accounts, screenshots of the assets. "
    "Registrations and raw leads are reported as operational signals only, never as results."
)

PLAYS: dict[str, dict] = {
    "acceleration": {
        "name": "Regional account acceleration",
        "description": (
            "For target accounts with open or stalled opportunities. A private executive briefing with "
            "3 to 5 of the named accounts in the room; the partner brings customer proof, technical "
            "credibility or the relationships that get the right people to attend. The aim is not new "
            "names but moving the deals that are already there."
        ),
        "success_metric": "Opportunity progression on the target accounts in the room (day 90).",
        "follow_up_template": (
            "Within 2 working days of the briefing, the account's sales owner calls each attendee:\n"
            "1. Thank them and name the one point from the briefing that matched their situation.\n"
            "2. Ask what would have to be true to move the open opportunity to the next stage this "
            "quarter.\n"
            "3. Offer a working session with the partner's architect on that blocker.\n"
            "4. Agree the next step and date in the call; update the opportunity the same day."
        ),
        "components": {
            "landing_page": (
                "Invitation page for a private executive briefing (invitation only, 3 to 5 companies).\n"
                "Sections: the business problem in one sentence; agenda (60 min, no slides after minute "
                "20); the partner spotlight (customer proof from a comparable account); date, venue and "
                "a short request-a-seat form (name, title, company: pre-filled from the invitation link)."
            ),
            "nurture_sequence": (
                "Four emails, personal in tone, sent from the account's sales owner:\n"
                "1. Day 0: personal invitation naming the stalled topic.\n"
                "2. Day 5: the partner's customer story from a comparable account.\n"
                "3. Day 10: reminder with the attendee list by role (no names).\n"
                "4. Day after the briefing: summary and the offer of a working session."
            ),
            "qualification_logic": _QUALIFICATION_COMMON,
            "sales_enablement": (
                "Lead context per attendee: the opportunity, its stage and how long it has not moved, who "
                "else from the account attended, what they asked in the session.\n"
                "Talk track: start from the blocker, not the product; bring the partner's proof point; "
                "close on a dated next step.\n"
                "Templates: follow-up email after the briefing, working-session invitation."
            ),
            "tracking": _TRACKING_COMMON,
            "partner_playbook": (
                "The partner: brings one customer proof story and one technical lead to the briefing, "
                "invites contacts it already knows at the named accounts, co-hosts the working sessions.\n"
                "Automated by the vendor: invitations and reminders, landing page, attendee matching to "
                "the account list, lead handoff with context, reporting."
            ),
            "proof_of_performance": _PROOF_COMMON,
        },
    },
    "vertical_wedge": {
        "name": "Vertical wedge",
        "description": (
            "When the partner has real depth in one industry (healthcare, education, manufacturing, "
            "financial services, retail…). The program is built on the partner's vertical credibility: "
            "its references, its certifications and its language, aimed at the named accounts of that "
            "vertical."
        ),
        "success_metric": "Meetings and new opportunities with target accounts of the vertical (day 60, 90).",
        "follow_up_template": (
            "Within 3 working days, the sales owner and the partner's industry lead call each engaged "
            "account together:\n"
            "1. Open with the industry issue the content addressed (regulation, a sector benchmark).\n"
            "2. Ask how they handle it today and who owns it.\n"
            "3. Offer a short assessment run by the partner's industry team.\n"
            "4. Book the meeting; open an opportunity when the assessment is agreed."
        ),
        "components": {
            "landing_page": (
                "Industry page in the sector's own language: the one issue every account in the vertical "
                "faces this year, how peers solved it (partner reference), and an offer of a short "
                "assessment. Partner spotlight: its certifications and named references in the vertical."
            ),
            "nurture_sequence": (
                "Five emails over four weeks:\n"
                "1. The industry issue and a benchmark.\n"
                "2. Partner reference from a named peer.\n"
                "3. Regulation or standard checklist.\n"
                "4. Invitation to the assessment.\n"
                "5. Last call, signed by the partner's industry lead."
            ),
            "qualification_logic": _QUALIFICATION_COMMON,
            "sales_enablement": (
                "Lead context: the vertical content the person engaged with, their account's stage, the "
                "partner's references closest to them.\n"
                "Talk track: speak the industry's language; lead with the peer reference; offer the "
                "assessment, not a demo.\n"
                "Templates: assessment invitation, meeting recap for the industry buyer."
            ),
            "tracking": _TRACKING_COMMON,
            "partner_playbook": (
                "The partner: supplies its vertical references and one industry expert, reviews the "
                "content for accuracy, runs the assessments.\n"
                "Automated by the vendor: nurture, landing page, lead scoring and handoff, reporting."
            ),
            "proof_of_performance": _PROOF_COMMON,
        },
    },
    "expansion": {
        "name": "Install-base expansion",
        "description": (
            "For existing customers. The partner knows how they use the product today; the vendor brings "
            "the roadmap. Together they show each named account what it is not yet using and what is "
            "coming, and turn that into expansion pipeline."
        ),
        "success_metric": "Expansion pipeline created inside current customer accounts (day 90).",
        "follow_up_template": (
            "Within 5 working days, the account's sales owner and the partner's delivery lead meet the "
            "customer's owner of the product:\n"
            "1. Review how they use it today (the partner's usage notes).\n"
            "2. Show the two roadmap items that matter most for them.\n"
            "3. Propose an expansion scope with a pilot and a date.\n"
            "4. Open the expansion opportunity when the pilot is agreed."
        ),
        "components": {
            "landing_page": (
                "Customer-only page: what is new since they bought, a roadmap preview, and a "
                "book-your-review form. Partner spotlight: the partner's delivery team and what it has "
                "built for customers like them."
            ),
            "nurture_sequence": (
                "Three emails to current users and their managers:\n"
                "1. What you are not using yet (by product area).\n"
                "2. Roadmap preview and customer review invitation.\n"
                "3. A peer customer's expansion story."
            ),
            "qualification_logic": _QUALIFICATION_COMMON,
            "sales_enablement": (
                "Lead context: the account's current contract, usage notes from the partner, open support "
                "topics, renewal date.\n"
                "Talk track: start from how they use it today; connect one roadmap item to one of their "
                "goals; propose a pilot.\n"
                "Templates: review meeting agenda, expansion proposal outline."
            ),
            "tracking": _TRACKING_COMMON,
            "partner_playbook": (
                "The partner: shares usage insight for each named customer, co-runs the reviews, scopes "
                "and delivers the pilots.\n"
                "Automated by the vendor: customer emails, the review booking page, handoff and reporting."
            ),
            "proof_of_performance": _PROOF_COMMON,
        },
    },
    "roundtable": {
        "name": "Local executive roundtable",
        "description": (
            "For senior buyers. A small, peer-led roundtable (8 to 12 executives) on one topic they care "
            "about, with no pitch; the partner brings the access and a respected moderator. The value is "
            "the conversation between peers; the vendor listens."
        ),
        "success_metric": "Senior meetings booked from target accounts (day 60).",
        "follow_up_template": (
            "Within 5 working days, the most senior vendor attendee writes to each executive personally:\n"
            "1. One insight from the discussion that they contributed.\n"
            "2. The summary of the roundtable (no product content).\n"
            "3. An offer of a one-to-one conversation with a peer executive of the vendor.\n"
            "Sales books the meeting; no sequence, no automated follow-up to these contacts."
        ),
        "components": {
            "landing_page": (
                "Private page for invited executives only: the topic, the moderator, who else is invited "
                "(by role and industry), date and place, and an RSVP. No product content."
            ),
            "nurture_sequence": (
                "Three personal emails, sent in the name of the partner's executive sponsor:\n"
                "1. Personal invitation.\n"
                "2. The discussion questions, one week before.\n"
                "3. The summary afterwards."
            ),
            "qualification_logic": _QUALIFICATION_COMMON,
            "sales_enablement": (
                "Lead context: each executive's role, their account's stage, what they said in the "
                "discussion (from the moderator's notes).\n"
                "Talk track: peer to peer; ask, do not pitch; offer the one-to-one with a vendor "
                "executive.\n"
                "Templates: personal thank-you note, one-to-one invitation."
            ),
            "tracking": _TRACKING_COMMON,
            "partner_playbook": (
                "The partner: invites the executives it knows at the named accounts, provides the "
                "moderator or the venue, hosts the evening.\n"
                "Automated by the vendor: RSVP page, reminders, attendee matching, reporting."
            ),
            "proof_of_performance": _PROOF_COMMON,
        },
    },
}
