// Invented people only: common given names and family names combined at random.

export const GIVEN_NAMES = [
  'Aisha', 'Amelia', 'Arjun', 'Ben', 'Chloe', 'Daniel', 'Deepa', 'Eleanor', 'Emeka', 'Fatima', 'Gareth', 'Grace',
  'Hannah', 'Harjit', 'Isla', 'Jack', 'James', 'Jasmine', 'Kamal', 'Katie', 'Kwame', 'Laura', 'Liam', 'Lucy',
  'Mark', 'Megan', 'Mohammed', 'Nadia', 'Neil', 'Olivia', 'Oscar', 'Priya', 'Rachel', 'Ravi', 'Rhys', 'Ruth',
  'Sam', 'Sana', 'Sarah', 'Simon', 'Sophie', 'Tariq', 'Thomas', 'Tom', 'Usman', 'Victoria', 'Wei', 'Zara',
] as const

export const FAMILY_NAMES = [
  'Ahmed', 'Ali', 'Baker', 'Bennett', 'Brown', 'Campbell', 'Chauhan', 'Clarke', 'Davies', 'Edwards', 'Evans',
  'Green', 'Hall', 'Harris', 'Hughes', 'Hussain', 'Jackson', 'James', 'Jones', 'Kaur', 'Khan', 'Lewis',
  'Martin', 'Mistry', 'Morgan', 'Morris', 'Nowak', 'Okafor', 'Parker', 'Patel', 'Phillips', 'Roberts',
  'Robinson', 'Shah', 'Singh', 'Smith', 'Taylor', 'Thomas', 'Thompson', 'Turner', 'Walker', 'Ward', 'White',
  'Williams', 'Wilson', 'Wood', 'Wright', 'Young',
] as const

export const STREETS = [
  'Alder Close', 'Beech Road', 'Canal Street', 'Chapel Lane', 'Church Street', 'Elm Grove', 'Factory Lane',
  'High Street', 'Kings Road', 'Linden Avenue', 'Market Place', 'Mill Lane', 'New Street', 'Orchard Way',
  'Park Road', 'Queens Road', 'Station Road', 'Victoria Street', 'Wharf Road', 'Willow Drive',
] as const

export const PLACE_PARTS = {
  first: ['Ash', 'Bar', 'Brad', 'Brook', 'Cal', 'Carl', 'Dun', 'East', 'Fair', 'Glen', 'Hather', 'Kings', 'Lang', 'Mel', 'Nor', 'Oak', 'Red', 'Stan', 'Thorn', 'West', 'Whit', 'Wood'],
  last: ['bridge', 'bury', 'by', 'caster', 'don', 'field', 'ford', 'ham', 'hampton', 'ley', 'mouth', 'stead', 'ton', 'wick', 'worth'],
} as const
