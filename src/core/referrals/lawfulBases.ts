// The lawful bases on which one partner may disclose information to another in a GAIN referral or
// an information request. Reference data: a referral names one, and the recipient judges the request
// against it. The wording follows the statutes; where a basis is only a gateway (it permits but does
// not oblige disclosure), the recipient still decides whether disclosure is necessary and
// proportionate in the case before them.

export const LAWFUL_BASES = [
  'cda1998_s115',
  'dpa2018_sch2_pt1_para2',
  'dpa2018_part3_s35',
  'sca2007_s68',
  'dea2017_part5',
  'ca2004_s11',
  'care2014_s45',
  'common_law_or_consent',
  'other',
] as const
export type LawfulBasis = (typeof LAWFUL_BASES)[number]

export type LawfulBasisInfo = {
  label: string
  /** What the basis allows, in a sentence an officer can check the request against. */
  summary: string
  /** Whether the requester must state the basis in their own words (the "other" basis only). */
  needsStatedBasis: boolean
}

export const LAWFUL_BASIS_INFO: Record<LawfulBasis, LawfulBasisInfo> = {
  cda1998_s115: {
    label: 'Crime and Disorder Act 1998, section 115',
    summary: 'Any person may disclose information to a relevant authority (police, councils, fire, health, probation) where necessary or expedient for the Act’s crime and disorder purposes.',
    needsStatedBasis: false,
  },
  dpa2018_sch2_pt1_para2: {
    label: 'Data Protection Act 2018, Schedule 2 Part 1 paragraph 2 (crime and taxation)',
    summary: 'Exempts disclosure from the UK GDPR’s listed provisions so far as applying them would be likely to prejudice the prevention or detection of crime, the apprehension or prosecution of offenders, or the assessment or collection of a tax.',
    needsStatedBasis: false,
  },
  dpa2018_part3_s35: {
    label: 'Data Protection Act 2018, section 35 and Part 3 (law enforcement processing)',
    summary: 'Processing by a competent authority for the law enforcement purposes, lawful where based on law and necessary for a task carried out for those purposes (sensitive processing needs more, s.35(3)-(5)).',
    needsStatedBasis: false,
  },
  sca2007_s68: {
    label: 'Serious Crime Act 2007, section 68 (specified anti-fraud organisations)',
    summary: 'A public authority may disclose information to a specified anti-fraud organisation, or as a member of one, for the purposes of preventing fraud.',
    needsStatedBasis: false,
  },
  dea2017_part5: {
    label: 'Digital Economy Act 2017, Part 5 (public service delivery, debt and fraud)',
    summary: 'Specified public authorities may share information for the objectives set out in regulations: public service delivery, debt owed to the public sector, and fraud against the public sector.',
    needsStatedBasis: false,
  },
  ca2004_s11: {
    label: 'Children Act 2004, section 11 (safeguarding children)',
    summary: 'Named bodies must make arrangements to ensure their functions are discharged having regard to the need to safeguard and promote the welfare of children.',
    needsStatedBasis: false,
  },
  care2014_s45: {
    label: 'Care Act 2014, section 45 (Safeguarding Adults Board requests)',
    summary: 'A Safeguarding Adults Board may request information from a person or body to enable or assist it to exercise its functions; the person must comply if the conditions are met.',
    needsStatedBasis: false,
  },
  common_law_or_consent: {
    label: 'Common-law powers or the subject’s consent',
    summary: 'The common-law power of the police to share for a policing purpose, or the data subject’s informed consent, recorded on the referral.',
    needsStatedBasis: false,
  },
  other: {
    label: 'Another basis, stated in the referral',
    summary: 'A statutory gateway not listed here. The requester must name it and the provision relied on.',
    needsStatedBasis: true,
  },
}

export const LAWFUL_BASIS_LABELS: Record<LawfulBasis, string> = Object.fromEntries(LAWFUL_BASES.map((b) => [b, LAWFUL_BASIS_INFO[b].label])) as Record<LawfulBasis, string>

export const isLawfulBasis = (v: unknown): v is LawfulBasis => (LAWFUL_BASES as readonly unknown[]).includes(v)
