import { hash, verify } from '@node-rs/argon2'

// argon2id with the OWASP-recommended minimum (19 MiB, 2 iterations, 1 lane).
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 } as const

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS)
}

// Verifying against this when no account matches keeps the answer time the same either way.
const DECOY = '$argon2id$v=19$m=19456,t=2,p=1$5V7Lr2NWSFTmfWADspBXFw$F/9fBt5UsbPM4exGmqvcKo3GyVmcfo00WOgumUEBWHE'

export async function passwordMatches(stored: string | null, password: string): Promise<boolean> {
  try {
    const ok = await verify(stored ?? DECOY, password)
    return stored !== null && ok
  } catch {
    return false
  }
}
