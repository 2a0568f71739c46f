/**
 * Narratives in the voice the system prompt asks for, for real leads of the bundled data set
 * (data/synthetic_leads.json), each supported by its lead's record and score: the false-positive
 * corpus of the grounding checks. Claude's API is unreachable from this machine, so they were written
 * by hand from each lead's prompt, on purpose using what real notes use: rounded and qualified numbers,
 * number words, company names with possessives, places, tier comparisons, reported odd text, and
 * actions of every kind. None of them may be flagged (tests/enrichment/grounding.test.ts).
 */
export interface RealisticNarrative {
  leadId: string;
  fit_narrative: string;
  recommended_action: string;
}

export const REALISTIC_NARRATIVES: readonly RealisticNarrative[] = [
  {
    leadId: 'lead_000006',
    fit_narrative: 'CEO of Carter Group, a 43-person banking company, who requested a demo and viewed pricing twice this month; 103 email opens and 25 page views back up the intent.',
    recommended_action: 'Call today and reference the demo request; a CEO at this size usually signs off directly.',
  },
  {
    leadId: 'lead_000015',
    fit_narrative: "Sales ops manager at Conroy LLC (about 920 employees, B2B SaaS) who requested a demo and checked pricing 2 times; strong size and industry fit.",
    recommended_action: 'Reach out today with a personal note tied to the demo request and offer times for this week.',
  },
  {
    leadId: 'lead_000054',
    fit_narrative: 'Sales Director at Kuhic, Cassin and Kautzer, a software company of over 10,000 employees that is hiring its first SDR team; demo requested, though no pricing-page views yet.',
    recommended_action: 'Call today, reference the demo request and the new SDR team, and ask who owns tooling for it.',
  },
  {
    leadId: 'lead_000068',
    fit_narrative: 'VP Customer Success at Jacobson, Bergnaum and Tillman, a 96-person healthcare company expanding into EMEA, with a demo request, 4 pricing-page views and 124 page views.',
    recommended_action: 'Same-day call: reference the demo request and ask how the EMEA expansion changes their pipeline needs.',
  },
  {
    leadId: 'lead_000116',
    fit_narrative: 'Owner of Hettinger and Sons (72 employees, healthcare, India) who requested a demo and is hiring its first SDR team; one pricing view this month.',
    recommended_action: 'Call today and reference the demo request and the first SDR hires.',
  },
  {
    leadId: 'lead_000403',
    fit_narrative: 'VP Customer Success at Hintz, Strosin and Lowe, 1,134 employees, with a demo request, webinar attendance and 3 pricing views; note the company recently laid off 30% of staff.',
    recommended_action: 'Call today, but confirm budget survived the layoffs before investing in a long cycle.',
  },
  {
    leadId: 'lead_000409',
    fit_narrative: 'SVP Revenue at Erdman - Shields, a computer software company of roughly 350 people, requested a demo and downloaded content twice; HOT at 80/100 on the demo and seniority.',
    recommended_action: 'Reach out today with a short personal note that references the demo request.',
  },
  {
    leadId: 'lead_000485',
    fit_narrative: "Director of Sales at Padberg Group (600 employees, SaaS) with a demo request, a webinar and 90 page views; the country is unknown.",
    recommended_action: 'Call today about the demo and confirm the region before proposing a team.',
  },
  {
    leadId: 'lead_000007',
    fit_narrative: 'Revenue Operations Analyst at Dickinson, Murazik-Cassin and Emard, a 65-person IT services firm, with 2 pricing-page views and a content download but no demo request.',
    recommended_action: 'Send a tailored follow-up on pipeline reporting and ask who else evaluates tools.',
  },
  {
    leadId: 'lead_000020',
    fit_narrative: 'Fintech revenue operations analyst at Brown, Grady and Ritchie (60 employees) with heavy email engagement, 183 opens and 37 clicks, and one pricing view.',
    recommended_action: 'Follow up this week with a short email; 183 opens may partly be a mail scanner, so verify interest.',
  },
  {
    leadId: 'lead_000026',
    fit_narrative: 'SVP Revenue at Schowalter Group, a 22-person healthcare company hiring its first SDR team, active recently with 158 opens and 2 pricing views; whether they requested a demo is unknown.',
    recommended_action: 'Send a tailored follow-up about setting up the new SDR team and offer a short call.',
  },
  {
    leadId: 'lead_000032',
    fit_narrative: 'Sales Ops Manager at Hyatt - Grimes in the United Kingdom, 114 employees, who requested a demo; the industry is unknown, which cost the industry-fit points.',
    recommended_action: 'Follow up within the week to confirm the use case and the industry before booking the demo.',
  },
  {
    leadId: 'lead_000035',
    fit_narrative: 'Marketing Manager at Bauch - Reinger, which recently raised a Series B and is scaling go-to-market; 3 pricing views and 2 downloads, industry unknown.',
    recommended_action: "Send a follow-up that references the Series B and the go-to-market push, and offer a short call.",
  },
  {
    leadId: 'lead_000037',
    fit_narrative: "Growth Manager at Pollich - Kautzer (302 employees, B2B SaaS, France) whose sales team is migrating off spreadsheets for pipeline tracking; light engagement so far.",
    recommended_action: 'Send a tailored follow-up on moving pipeline tracking off spreadsheets.',
  },
  {
    leadId: 'lead_000041',
    fit_narrative: 'Sales Ops Analyst at VonRueden, Keebler and King, a 12-person software company in Germany, requested a demo; at 68 it sits 7 points short of HOT.',
    recommended_action: 'Follow up with a tailored note this week and offer the demo slot they asked for.',
  },
  {
    leadId: 'lead_000047',
    fit_narrative: 'Sales Manager at Breitenberg, Blick and Franecki, a real estate firm of about 2,300 people in Spain that is hiring its first SDR team; webinar attendee with 2 pricing views.',
    recommended_action: 'Send a tailored follow-up about onboarding a first SDR team and suggest a short call.',
  },
  {
    leadId: 'lead_000058',
    fit_narrative: "President of Auer, O'Connell and Carroll (544 employees, industrial automation, Australia), expanding into EMEA next quarter; 2 pricing views but no demo request.",
    recommended_action: 'Send a follow-up tied to the EMEA expansion and ask for a short call next week.',
  },
  {
    leadId: 'lead_000061',
    fit_narrative: 'President of Franecki Inc, a hospital and health care company with 158 employees; engagement is modest, 20 opens and 5 page views, and revenue is unknown.',
    recommended_action: 'Send a short tailored follow-up and ask whether pipeline tooling is on their list this year.',
  },
  {
    leadId: 'lead_000065',
    fit_narrative: "Marketing specialist at O'Kon Inc, a 91-person software company, with 2 pricing views; a specialist rarely decides, so the buyer is likely someone else.",
    recommended_action: "Send a follow-up asking who leads sales operations at O'Kon Inc.",
  },
  {
    leadId: 'lead_000076',
    fit_narrative: 'Co-founder of Ritchie, Jones and Koepp, an 18-person software company in Germany, with 50 opens and 18 clicks this month; small team, no demo request.',
    recommended_action: 'Send a tailored follow-up to the co-founder and offer a 20-minute call.',
  },
  {
    leadId: 'lead_000085',
    fit_narrative: 'Director, Revenue Operations at Kohler - Larkin (227 employees, software, India) who attended a webinar; no company description, and no pricing views yet.',
    recommended_action: 'Follow up on the webinar topic and ask what prompted the visit.',
  },
  {
    leadId: 'lead_000086',
    fit_narrative: 'VP Customer Success at Kub - Lehner, a marketing company, with a demo request and 19 page views; the company size is unknown, which matters for pricing.',
    recommended_action: 'Send a tailored follow-up to confirm team size, then book the demo.',
  },
  {
    leadId: 'lead_000091',
    fit_narrative: "Head of Growth at Kautzer, Haley and Wisoky, a 186-person software company migrating off spreadsheets; 19 page views but nothing on pricing.",
    recommended_action: 'Send a follow-up about replacing spreadsheets and offer a short walkthrough.',
  },
  {
    leadId: 'lead_000093',
    fit_narrative: 'VP of Sales at Rolfson, Tromp and Homenick, a 12-person e-commerce company in Singapore, requested a demo, but last activity is unknown and there is no engagement this month.',
    recommended_action: 'Send a short follow-up to check the demo request is still live before booking it.',
  },
  {
    leadId: 'lead_000001',
    fit_narrative: 'SDR at a 5-person software company with little engagement: 6 opens, 3 page views and no pricing visits.',
    recommended_action: 'Add to nurture; no SDR time yet.',
  },
  {
    leadId: 'lead_000002',
    fit_narrative: 'Chief of Staff at Gleichner Group, an 8-person consulting firm in India, with no engagement in the last 30 days and last activity in mid-August.',
    recommended_action: 'Add to a nurture sequence and revisit if they engage again.',
  },
  {
    leadId: 'lead_000003',
    fit_narrative: 'Research Assistant at a 6-person computer software company; 21 page views and one pricing view, but the title suggests research rather than buying.',
    recommended_action: 'Add to nurture; no SDR time yet.',
  },
  {
    leadId: 'lead_000004',
    fit_narrative: 'VP Growth at Wilderman, Walker and Renner, a 143-person telecommunications company based in Augustbury; senior, but barely engaged.',
    recommended_action: 'Add to a nurture track with telecom content and revisit in a quarter.',
  },
  {
    leadId: 'lead_000005',
    fit_narrative: 'Consultant at Nikolaus - Upton, a marketing company in the Netherlands; the company size and webinar attendance are unknown, and the title is rarely a buyer.',
    recommended_action: 'Add to nurture; no SDR time yet.',
  },
  {
    leadId: 'lead_000008',
    fit_narrative: 'RevOps Manager at a 7-person logistics company that is under a hiring freeze until next year; page and pricing views are unknown.',
    recommended_action: 'Add to nurture and revisit after the hiring freeze.',
  },
  {
    leadId: 'lead_000009',
    fit_narrative: 'RevOps Manager at Cartwright - Fahey, a 557-person SaaS company that recently raised a Series B; webinar attendee, but no activity since August, so COLD at 39.',
    recommended_action: 'Send a follow-up referencing the Series B and the go-to-market push; the funding may matter more than the score shows.',
  },
  {
    leadId: 'lead_000010',
    fit_narrative: 'The title is student and the description calls Quigley LLC a student project, so this is unlikely to be a buyer despite 9 page views.',
    recommended_action: 'Disqualify: a student project, not a buyer.',
  },
  {
    leadId: 'lead_000011',
    fit_narrative: 'COO at Treutel - Altenwerth, an advertising company of 86 people, with 11 page views and a download but no pricing interest; 5 points short of WARM.',
    recommended_action: 'Add to nurture with a case study and revisit if pricing views appear.',
  },
  {
    leadId: 'lead_000012',
    fit_narrative: 'Chief of Staff at McKenzie, Koss-Ebert and Klein in banking, 77 employees, with almost no engagement and no company description.',
    recommended_action: 'Add to nurture; no SDR time yet.',
  },
  {
    leadId: 'lead_000013',
    fit_narrative: 'Chief of Staff at Ferry Group, a 3-person education company; small, in a sector that rarely buys, and barely engaged.',
    recommended_action: 'Disqualify for now; too small to need an SDR tool.',
  },
  {
    leadId: 'lead_000014',
    fit_narrative: 'Marketing Specialist at Hoeger, Dickens and Paucek (261 employees, B2B SaaS) who attended a webinar but has been quiet since mid-September.',
    recommended_action: 'Add to a nurture sequence with webinar follow-up content.',
  },
  {
    leadId: 'lead_000016',
    fit_narrative: 'Marketing Manager at Roob Inc (148 employees, United Kingdom), which recently raised a Series B; 3 page views and no pricing visits, webinar attendance unknown.',
    recommended_action: 'Send a short follow-up that references the Series B, then nurture if there is no reply.',
  },
  {
    leadId: 'lead_000017',
    fit_narrative: 'Research Assistant at a 2-person IT services company whose sales team is migrating off spreadsheets; too small and too junior to be a likely buyer.',
    recommended_action: 'Add to nurture; no SDR time yet.',
  },
  {
    leadId: 'lead_000018',
    fit_narrative: "MBA Candidate at Schaden, Dickens-Jakubowski and O'Hara, 423 employees, in India; the title suggests a student rather than a buyer.",
    recommended_action: 'Verify whether this is a student inquiry before any outreach; disqualify if so.',
  },
  {
    leadId: 'lead_000019',
    fit_narrative: 'BDR at Schneider - Ritchie with no engagement and last activity in July; the company size is unknown.',
    recommended_action: 'Add to nurture and check back next quarter.',
  },
];
